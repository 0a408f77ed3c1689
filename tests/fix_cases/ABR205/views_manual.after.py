# fix-case: django=4.2
from django.http import JsonResponse


async def profile(request):
    if not request.user.is_authenticated:
        return JsonResponse({}, status=401)
    return JsonResponse({"cart": request.session["cart"]})
