"""ABR401/ABR403 across modules: aliases, package re-exports, methods of imported classes."""
import shop.services as svc
from shop import refresh_stock
from shop import Client as ReExportedClient
from shop.services import Client, SubClient, get_order, load_order, stream, sync_entry, sync_helper
from shop.services import refresh_stock as refresh
from shop.sub import nothing_here


def restock(request, sku):
    refresh(sku)  # error: ABR401@5
    refresh_stock(sku)  # error: ABR401@5
    svc.refresh_stock(sku)  # error: ABR401@5
    load_order(sku)  # error: ABR401@5
    sync_entry(sku)
    sync_helper(sku)
    stream(sku)
    nothing_here()
    Client().close()


async def restock_async(request, sku):
    refresh(sku)  # error: ABR401@5
    Client().fetch("/x")  # error: ABR401@5
    SubClient().fetch("/x")  # error: ABR401@5
    ReExportedClient().fetch("/x")  # error: ABR401@5
    await refresh(sku)
    total = await get_order(sku)["total"]  # error: ABR403@13
    other = await svc.get_order(sku).get("total")  # error: ABR403@13
    fine = (await get_order(sku))["total"]
    loaded = await load_order(sku).pk  # error: ABR403@14
    return total, other, fine, loaded
