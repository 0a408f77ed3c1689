import asyncio

from asgiref.sync import async_to_sync


def run_coroutine(coro):
    """Runs its argument on a brand-new loop: a runner, whatever its name."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def run_safely(func, *args):
    return async_to_sync(func)(*args)
