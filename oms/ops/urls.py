from django.urls import path

from oms.ops import views

app_name = "ops"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics_view, name="metrics"),
    path("system/", views.system, name="system"),
    path("system/tasks/<str:task_id>/retry/", views.retry, name="retry"),
]
