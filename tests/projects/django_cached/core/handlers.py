from core.util import domain_by_name, get_default_domain


async def serve(request):
    domain = get_default_domain()
    other = domain_by_name(request.GET["domain"])  # error: ABR201@13
    return domain, other
