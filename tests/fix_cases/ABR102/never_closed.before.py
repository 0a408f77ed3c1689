import asyncio


def fetch_all(urls):
    loop = asyncio.new_event_loop()
    return loop.run_until_complete(download(urls))


async def download(urls):
    return urls
