import asyncio

from django.http import HttpResponse

from .models import SiteFlag


async def maintenance_enabled():
    return await SiteFlag.objects.filter(name="maintenance", enabled=True).aexists()


class MaintenanceModeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/health"):
            return self.get_response(request)
        if asyncio.run(maintenance_enabled()):
            return HttpResponse("Down for maintenance", status=503)
        return self.get_response(request)
