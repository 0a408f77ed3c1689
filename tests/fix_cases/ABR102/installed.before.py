import asyncio


def run_job(job):
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    return loop.run_until_complete(job())


def restores_the_previous_loop(job):
    previous = asyncio.get_event_loop_policy().get_event_loop()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    result = loop.run_until_complete(job())
    loop.close()
    asyncio.set_event_loop(previous)
    return result


def resets_before_closing(job):
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(job())
    asyncio.set_event_loop(None)
    loop.close()


def not_installed(job):
    loop = asyncio.new_event_loop()
    return loop.run_until_complete(job())
