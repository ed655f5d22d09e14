from django.contrib.auth.decorators import login_required
from django.urls import path

from oms.intake import views
from oms.web.listing import ListPage

app_name = "intake"
urlpatterns = [
    path("orders/import/", views.import_upload, name="import"),
    path("orders/import/template.xlsx", login_required(views.import_template), name="import_template"),
    path("orders/import/<int:pk>/", views.import_preview, name="import_preview"),
    path("inquiries/", ListPage.as_view(spec=views.INQUIRY_SPEC), name="inquiry_list"),
    path("inquiries/new/", views.inquiry_new, name="inquiry_create"),
    path("inquiries/<int:pk>/", views.inquiry_page, name="inquiry_detail"),
]
