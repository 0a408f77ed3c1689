from core.models import Domain

default_domain = None


def get_default_domain():
    """Loaded once and cached in a module global: warmed at start-up."""
    global default_domain
    if default_domain is None:
        default_domain = Domain.objects.get(name="default")
    return default_domain


def domain_by_name(name):
    return Domain.objects.get(name=name)
