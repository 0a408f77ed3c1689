import asyncio


def two_loops(a, b):
    first = asyncio.new_event_loop()
    second = asyncio.new_event_loop()
    first.run_until_complete(a)
    second.run_until_complete(b)
