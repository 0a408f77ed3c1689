"""Cross-module values: a Signal of another module, a function re-exported under another
name, methods of an object whose class lives elsewhere."""
import values_app
from values_app import refresh_all
from values_app.services import Client
from values_app.signals import order_paid


async def checkout(request):
    order_paid.send(sender=None)  # error: ABR208@5
    refresh_all()  # error: ABR201@5
    values_app.refresh_all()  # error: ABR201@5
    client = Client()
    client.fetch("/x")  # error: ABR401@5
    client.report()  # error: ABR201@5
    await client.fetch("/y")
    await order_paid.asend(sender=None)
