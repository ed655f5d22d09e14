from django.urls import path

from oms.archive import views
from oms.web.listing import ListPage

app_name = "archive"
urlpatterns = [
    path("", ListPage.as_view(spec=views.ARCHIVE_SPEC), name="record_list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/packet/", views.packet, name="packet"),
    path("<int:pk>/files/<int:n>/", views.download, name="download"),
    path("<int:pk>/request/", views.request_access, name="request_access"),
    path("<int:pk>/disposal/", views.disposal, name="disposal"),
    path("retention/", ListPage.as_view(spec=views.RETENTION_SPEC), name="retention_list"),
    path("disposed/", ListPage.as_view(spec=views.DISPOSED_SPEC), name="disposed_list"),
    path("requests/", ListPage.as_view(spec=views.REQUEST_SPEC), name="request_list"),
    path("requests/<int:pk>/", views.access_request, name="request"),
    path("log/", ListPage.as_view(spec=views.LOG_SPEC), name="log_list"),
]
