async def fetch_rows(query):
    return [query]


async def ambiguous():
    return await fetch_rows("x").copy()[0]


async def silenced():
    return await fetch_rows("x")[0]  # noqa
