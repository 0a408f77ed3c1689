from django.http import JsonResponse


async def profile(request):
    if not request.user.is_authenticated:
        return JsonResponse({}, status=401)
    return JsonResponse({"name": request.user.get_username()})
