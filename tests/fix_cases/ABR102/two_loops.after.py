import asyncio


def two_loops(a, b):
    first = asyncio.new_event_loop()
    try:
        second = asyncio.new_event_loop()
        try:
            first.run_until_complete(a)
            second.run_until_complete(b)
        finally:
            second.close()
    finally:
        first.close()
