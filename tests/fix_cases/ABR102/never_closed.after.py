import asyncio


def fetch_all(urls):
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(download(urls))
    finally:
        loop.close()


async def download(urls):
    return urls
