import asyncio


def conditionally_installed(job, install):
    loop = asyncio.new_event_loop()
    if install:
        asyncio.set_event_loop(loop)
    return loop.run_until_complete(job())


def installed_by_someone_else(job, runner):
    loop = asyncio.new_event_loop()
    runner.set_event_loop(loop)
    return loop.run_until_complete(job())


def asyncio_means_something_else(job):
    from asyncio import events
    asyncio = None
    loop = events.new_event_loop()
    events.set_event_loop(loop)
    return loop.run_until_complete(job()), asyncio
