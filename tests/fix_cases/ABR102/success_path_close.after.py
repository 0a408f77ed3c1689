import asyncio


def fetch_all(urls):
    loop = asyncio.new_event_loop()

    # install it for libraries calling get_event_loop()
    try:
        asyncio.set_event_loop(loop)
        result = loop.run_until_complete(download(urls))
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    return result


async def download(urls):
    return urls
