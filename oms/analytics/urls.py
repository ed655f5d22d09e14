from django.urls import path

from oms.analytics import views
from oms.web.listing import ListPage

app_name = "analytics"
urlpatterns = [
    path("kpis/", views.kpi_page, name="kpis"),
    path("kpis/records/", views.drill, name="drill"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("assessment/", views.assessment_page, name="assessment"),
    path("plans/", ListPage.as_view(spec=views.PLAN_SPEC), name="plan_list"),
    path("plans/new/", views.new_plan, name="plan_new"),
    path("plans/actual/", views.plan_vs_actual, name="plan_actual"),
]
