from asyncio import events


def run_job(job):
    loop = events.new_event_loop()
    events.set_event_loop(loop)
    return loop.run_until_complete(job())
