from django.http import JsonResponse


async def profile(request):
    if not (await request.auser()).is_authenticated:
        return JsonResponse({}, status=401)
    return JsonResponse({"name": (await request.auser()).get_username()})
