from asyncio import events
import asyncio


def run_job(job):
    loop = events.new_event_loop()
    try:
        events.set_event_loop(loop)
        return loop.run_until_complete(job())
    finally:
        loop.close()
        asyncio.set_event_loop(None)
