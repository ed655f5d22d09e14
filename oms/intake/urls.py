from django.contrib.auth.decorators import login_required
from django.urls import path

from oms.intake import views
from oms.web.listing import ListPage

app_name = "intake"
urlpatterns = [
    path("orders/", ListPage.as_view(spec=views.ORDER_SPEC), name="order_list"),
    path("orders/new/", views.order_new, name="order_create"),
    path("orders/import/", views.import_upload, name="import"),
    path("orders/import/template.xlsx", login_required(views.import_template), name="import_template"),
    path("orders/import/<int:pk>/", views.import_preview, name="import_preview"),
    path("orders/<int:pk>/", views.order_page, name="order_detail"),
    path("orders/<int:pk>/edit/", views.order_edit, name="order_edit"),
    path("orders/<int:pk>/original/", views.original_document, name="order_original"),
    path("orders/<int:pk>/versions/", views.order_versions, name="order_versions"),
    path("orders/<int:pk>/do/<str:verb>/", views.order_transition, name="order_transition"),
    path("work/", views.work, name="work"),
    path("inquiries/", ListPage.as_view(spec=views.INQUIRY_SPEC), name="inquiry_list"),
    path("inquiries/new/", views.inquiry_new, name="inquiry_create"),
    path("inquiries/<int:pk>/", views.inquiry_page, name="inquiry_detail"),
    path("inquiries/<int:pk>/order/", views.inquiry_convert, name="inquiry_convert"),
]
