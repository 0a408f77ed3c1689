from django.urls import path

from shop import views

urlpatterns = [
    path("orders/", views.my_orders),
    path("orders/v2/", views.my_orders_v2),
    path("orders/<int:pk>/", views.order_detail),
    path("orders/<int:pk>/summary/", views.order_summary),
    path("orders/<int:pk>/cancel/", views.cancel_order),
    path("orders/<int:pk>/invoice/", views.invoice),
    path("orders/<int:pk>/shipment/", views.shipment_status),
    path("orders/<int:pk>/refresh/", views.refresh_from_marketplace),
]
