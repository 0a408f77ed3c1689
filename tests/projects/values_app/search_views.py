"""A constant argument of another module, carried through a helper into the guard of another."""
from values_app.models import SEARCH_TYPES
from values_app.search import enrich


async def search(results):
    search_type = SEARCH_TYPES.OPINION
    enrich(results, search_type)
    enrich(results, SEARCH_TYPES.PARENTHETICAL)  # error: ABR201@5
