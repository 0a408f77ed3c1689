"""ABR402 at import time: module scope, class scope, caches, defaults; never in functions."""
import asyncio
import asyncio as aio
from asyncio import Lock
from asyncio import Queue as Q
from typing import ClassVar

import httpx
import redis.asyncio as aioredis
from aiohttp import ClientSession, TCPConnector

lock = Lock()  # error: ABR402@8
events = {"ready": asyncio.Event(), "done": aio.Event()}  # error: ABR402@20, ABR402@45
queue = Q(maxsize=10)  # error: ABR402@9
client = httpx.AsyncClient(timeout=5)  # error: ABR402@10
cache = aioredis.from_url("redis://localhost")  # error: ABR402@9
cache2 = aioredis.Redis(host="localhost")  # error: ABR402@10
session = ClientSession(connector=TCPConnector(limit=4))  # error: ABR402@11, ABR402@35
lock = lock or asyncio.Lock()  # error: ABR402@16
semaphores = [asyncio.Semaphore(2) for _ in range(3)]  # error: ABR402@15


class Service:
    guard = asyncio.Lock()  # error: ABR402@13
    pool: ClassVar[asyncio.Queue] = asyncio.Queue()  # error: ABR402@37

    class Inner:
        cond = asyncio.Condition()  # error: ABR402@16

    def method(self, gate=asyncio.BoundedSemaphore(1)):  # error: ABR402@27
        self.lock = asyncio.Lock()


def default_arg(event=asyncio.Event()):  # error: ABR402@23
    return event


async def inside():
    lock = asyncio.Lock()
    async with httpx.AsyncClient() as http:
        await http.get("/")
    return lock


def factory():
    return ClientSession()


def nested_default():
    def inner(event=asyncio.Event()):
        return event

    return inner


make = asyncio.Lock
lazy = lambda: asyncio.Lock()  # noqa: E731
not_loop_bound = asyncio.get_event_loop_policy()

if __name__ == "__main__":
    main_queue = asyncio.Queue()
