from django.urls import path

from oms.changes import views
from oms.web.listing import ListPage

app_name = "changes"
urlpatterns = [
    path("changes/", ListPage.as_view(spec=views.REQUEST_SPEC), name="request_list"),
    path("changes/<int:pk>/", views.request_page, name="request_detail"),
    path("changes/<int:pk>/agreement/", views.agreement, name="agreement"),
    path("changes/<int:pk>/file/<str:which>/", views.attachment, name="attachment"),
    path("changes/tasks/<int:pk>/", views.task_redirect, name="task"),
    path("orders/<int:pk>/changes/new/", views.new_request, name="request_create"),
    path("orders/<int:pk>/purchase-decision/", views.supplier_decision, name="supplier_decision"),
    path("purchase-orders/<int:pk>/", views.purchase_redirect, name="purchase_order"),
    path("orders/<int:pk>/change-link/", views.customer_link, name="customer_link"),
    path("change/<str:token>/", views.customer_change, name="customer_change"),
]
