from asgiref.sync import async_to_sync, sync_to_async


async def refresh_stock(sku):
    ...


async def get_order(pk):
    return {"total": pk}


def sync_helper(sku):
    return sku


@async_to_sync
async def sync_entry(sku):
    ...


@sync_to_async
def load_order(pk):
    return pk


async def stream(sku):
    yield sku


class Client:
    async def fetch(self, url):
        ...

    def close(self):
        ...


class SubClient(Client):
    pass
