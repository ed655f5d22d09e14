from django.urls import path

from oms.fulfilment import views

app_name = "fulfilment"
urlpatterns = [
    path("orders/<int:pk>/execution/<str:verb>/", views.execution, name="execution"),
    path("orders/tasks/<int:pk>/", views.task_redirect, name="task"),
    path("warehouse/picking/", views.picking, name="picking"),
    path("warehouse/picking/print/", views.picking_print, name="picking_print"),
]
