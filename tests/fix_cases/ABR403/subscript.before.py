async def fetch_rows(query):
    return [query]


class Api:
    async def get(self, url):
        return {"url": url}


async def first_row(api: Api):
    row = await fetch_rows("x")[0]
    url = await (fetch_rows("z")).count("z")
    return row, url, await fetch_rows("y")[0][1]
