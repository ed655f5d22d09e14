from django.urls import path

from oms.web.listing import ListPage
from oms.workbench import views
from oms.workbench.views import autofill

app_name = "workbench"
urlpatterns = [
    path("orders/", ListPage.as_view(spec=views.ORDER_SPEC), name="order_list"),
    path("orders/new/", views.order_new, name="order_create"),
    # The order form's fills (issue 23 point 7), under the master data they read.
    path("master/customers/<int:pk>/order-defaults/", autofill.customer_defaults, name="fill_customer"),
    path("master/products/<int:pk>/order-defaults/", autofill.product_defaults, name="fill_product"),
    path("orders/<int:pk>/", views.order_page, name="order_detail"),
    path("orders/<int:pk>/edit/", views.order_edit, name="order_edit"),
    path("orders/<int:pk>/original/", views.original_document, name="order_original"),
    path("orders/<int:pk>/versions/", views.order_versions, name="order_versions"),
    path("orders/<int:pk>/do/<str:verb>/", views.order_transition, name="order_transition"),
    path("work/", views.work, name="work"),
    path("search/", views.search, name="search"),
    path("orders/register/", ListPage.as_view(spec=views.REGISTER_SPEC), name="register_list"),
    path("inquiries/<int:pk>/order/", views.inquiry_convert, name="inquiry_convert"),
]
