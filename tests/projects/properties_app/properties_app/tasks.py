"""Reading a property of a model defined in another module calls its getter."""
from properties_app.models import Agent, ProgressReport, Task
from properties_app.reports import repair_all


async def handle_task_on_agent(task_pk: int, agent: Agent):
    task = await Task.objects.aget(pk=task_pk)
    agent.timezone  # error: ABR201@5
    task.nats_payload(agent=agent)  # error: ABR201@5
    task.plain_payload()
    task.untyped_payload(agent)


async def repair(pk: int):
    with ProgressReport() as report:  # error: ABR201@10
        report.state = "x"
    repair_all()  # error: ABR201@5
    async with ProgressReport():
        pass
