from django.urls import path

from oms.quality import views

app_name = "quality"
urlpatterns = [
    path("orders/<int:pk>/quality/<str:verb>/", views.quality, name="quality"),
    path("quality/statistics/", views.statistics, name="statistics"),
]
