from django.urls import path

from oms.review import views

app_name = "review"
urlpatterns = [
    path("review/tasks/", views.task_list, name="tasks"),
    path("review/batch/", views.batch, name="batch"),
    path("review/tasks/<int:pk>/", views.task_page, name="task"),
    path("review/rounds/<int:pk>/report/", views.report, name="report"),
    path("review/rounds/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("review/rounds/<int:pk>/cause/", views.failure_cause, name="failure_cause"),
    path("review/approvals/<int:pk>/", views.approval_step, name="approval_step"),
    path("review/approvals/<int:pk>/decide/", views.approval_decide, name="approval_decide"),
    path("orders/<int:pk>/confirmation/", views.record_confirmation, name="record_confirmation"),
    path("orders/<int:pk>/confirmation-link/", views.confirmation_link, name="confirmation_link"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
]
