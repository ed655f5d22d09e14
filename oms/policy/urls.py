from django.urls import path

from oms.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("edit/", views.edit, name="edit"),
    path("import/", views.import_toml, name="import"),
    path("export/", views.export_toml, name="export"),
    path("export/<int:number>/", views.export_toml, name="export_version"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/seed/", views.calendar_seed, name="calendar_seed"),
    path("calendar/day/", views.calendar_day, name="calendar_day"),
]
