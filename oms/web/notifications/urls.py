from django.urls import path

from oms.web.listing import urls_for
from oms.web.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("preferences/", views.preferences, name="preferences"),
    *urls_for(views.CHANNEL_SPEC, "channels"),
    *urls_for(views.DELIVERY_SPEC, "deliveries"),
]
