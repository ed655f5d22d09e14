from django.urls import path

from oms.supervision import views
from oms.web.listing import ListPage

app_name = "supervision"
urlpatterns = [
    path("checks/", ListPage.as_view(spec=views.CHECK_SPEC), name="check_list"),
    path("checks/new/", views.new_check, name="check_new"),
    path("checks/<int:pk>/", views.check, name="check"),
    path("checks/<int:pk>/<str:verb>/", views.check_do, name="check_do"),
    path("findings/", ListPage.as_view(spec=views.FINDING_SPEC), name="finding_list"),
    path("findings/<int:pk>/", views.finding, name="finding"),
    path("reports/", ListPage.as_view(spec=views.REPORT_SPEC), name="report_list"),
    path("reports/new/", views.new_report, name="report_new"),
    path("reports/<int:pk>/", views.report, name="report"),
]
