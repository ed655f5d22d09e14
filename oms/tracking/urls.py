from django.urls import path

from oms.tracking import views

app_name = "tracking"
urlpatterns = [
    path("orders/<int:pk>/tracking/<str:verb>/", views.order_tracking, name="order_tracking"),
    path("tracking/overview/", views.overview, name="overview"),
]
