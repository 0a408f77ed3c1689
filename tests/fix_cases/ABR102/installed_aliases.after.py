import asyncio as aio
from asyncio import new_event_loop, set_event_loop as install


def aliased_module(job):
    loop = aio.new_event_loop()
    try:
        aio.set_event_loop(loop)
        return loop.run_until_complete(job())
    finally:
        loop.close()
        aio.set_event_loop(None)


def aliased_function(job):
    loop = new_event_loop()
    try:
        install(loop)
        return loop.run_until_complete(job())
    finally:
        loop.close()
        aio.set_event_loop(None)
