from django.urls import path

from oms.delivery import views

app_name = "delivery"
urlpatterns = [
    path("shipments/<int:pk>/<str:kind>/print/", views.document, name="document"),
    path("shipments/notes/", views.notes, name="notes"),
    path("shipments/<int:pk>/acceptance/", views.acceptance, name="acceptance"),
    path("accept/<str:token>/", views.accept, name="accept"),
]
