"""HTTP clients for the marketplace partner API and the warehouse."""

import httpx
from django.conf import settings

# One shared client for the whole process, to reuse connections.
marketplace = httpx.AsyncClient(base_url=settings.MARKETPLACE_URL, timeout=10)


async def fetch_remote_orders(shop_id):
    response = await marketplace.get(f"/shops/{shop_id}/orders", params={"status": "paid"})
    response.raise_for_status()
    return response.json()["orders"]


async def fetch_exchange_rates():
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.get("https://rates.example.com/latest")
        response.raise_for_status()
        return response.json()


async def ping(url):
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.head(url)
        return response.status_code


async def post_to_warehouse(payload):
    async with httpx.AsyncClient(base_url=settings.WAREHOUSE_URL, timeout=10) as client:
        response = await client.post("/shipments", json=payload)
        response.raise_for_status()
        return response.json()
