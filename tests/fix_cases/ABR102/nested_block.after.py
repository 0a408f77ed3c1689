import asyncio


class Client:
    def sync(self, jobs, fresh: bool):
        if fresh:
            loop: asyncio.AbstractEventLoop = asyncio.new_event_loop()
            try:
                for job in jobs:
                    loop.run_until_complete(job)  # each job
            finally:
                loop.close()
            print("done")
        return len(jobs)
