import asyncio


class Client:
    def sync(self, jobs, fresh: bool):
        if fresh:
            loop: asyncio.AbstractEventLoop = asyncio.new_event_loop()
            for job in jobs:
                loop.run_until_complete(job)  # each job
            print("done")
        return len(jobs)
