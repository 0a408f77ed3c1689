from asyncio import new_event_loop, set_event_loop


def run_job(job):
    loop = new_event_loop()
    set_event_loop(loop)
    return loop.run_until_complete(job())
