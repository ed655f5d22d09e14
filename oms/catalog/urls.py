from django.contrib.auth.decorators import login_required
from django.urls import path

from oms.catalog import views
from oms.web.listing import urls_for

app_name = "catalog"
urlpatterns = [
    *urls_for(views.PRODUCT_SPEC, "products"),
    *urls_for(views.WAREHOUSE_SPEC, "warehouses"),
    *urls_for(views.STOCK_SPEC, "stock"),
    path("products/picker/", login_required(views.product_picker), name="product_picker"),
]
