import asyncio


def used_after_the_block(flag, coro):
    if flag:
        loop = asyncio.new_event_loop()
    else:
        loop = asyncio.get_event_loop()
    return loop.run_until_complete(coro)


def used_by_a_closure(coros):
    loop = asyncio.new_event_loop()

    def run(coro):
        return loop.run_until_complete(coro)

    return [run(c) for c in coros]


def never_used():
    loop = asyncio.new_event_loop()
    print("nothing")


def chained(coro):
    return asyncio.new_event_loop().run_until_complete(coro)


def silenced(coro):
    loop = asyncio.new_event_loop()  # noqa: ABR102
    return loop.run_until_complete(coro)


def rebound(coro):
    loop = asyncio.new_event_loop()
    loop.run_until_complete(coro)
    loop = None
    assert loop is None
