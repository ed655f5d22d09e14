from django.urls import path

from oms.contracts import views

app_name = "contracts"
urlpatterns = [
    path("orders/<int:pk>/documents/", views.documents, name="documents"),
    path("orders/<int:pk>/contract/<str:verb>/", views.contract_action, name="contract_action"),
    path("orders/<int:pk>/contract-print/", views.contract_print, name="contract_print"),
    path("orders/<int:pk>/print/", views.order_print, name="order_print"),
    path("orders/<int:pk>/document/<str:verb>/", views.document_action, name="document_action"),
    path("documents/<int:pk>/download/", views.download, name="download"),
    path("contracts/template/", views.template_edit, name="template"),
]
