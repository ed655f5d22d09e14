from django.contrib.auth.decorators import login_required
from django.urls import path

from oms.customers import views
from oms.web.listing import urls_for

app_name = "customers"
urlpatterns = [
    *urls_for(views.CUSTOMER_SPEC, "customers"),
    *urls_for(views.CONTACT_SPEC, "contacts"),
    path("customers/picker/", login_required(views.customer_picker), name="customer_picker"),
    path("contacts/<int:pk>/portal/", views.contact_portal, name="contact_portal"),
]
