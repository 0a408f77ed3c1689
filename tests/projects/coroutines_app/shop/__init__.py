from .services import refresh_stock as refresh_stock
from .services import Client
