from django.urls import path

from oms.feedback import views
from oms.web.listing import ListPage, urls_for

app_name = "feedback"
urlpatterns = [
    path("complaints/", ListPage.as_view(spec=views.COMPLAINT_SPEC), name="complaint_list"),
    path("complaints/new/", views.new_complaint, name="complaint_new"),
    path("complaints/<int:pk>/", views.complaint, name="complaint"),
    path("complaints/<int:pk>/step/", views.complaint_step, name="complaint_step"),
    path("complaints/<int:pk>/action/", views.complaint_action, name="complaint_action"),
    path("surveys/", ListPage.as_view(spec=views.SURVEY_SPEC), name="survey_list"),
    path("surveys/new/", views.new_survey, name="survey_new"),
    path("surveys/<int:pk>/", views.survey, name="survey"),
    path("surveys/<int:pk>/<str:verb>/", views.survey_do, name="survey_do"),
    path("surveys/invitations/", ListPage.as_view(spec=views.INVITATION_SPEC), name="invitation_list"),
    path("surveys/invitations/<int:pk>/", views.invitation, name="invitation"),
    path("survey/<str:token>/", views.respond, name="respond"),
    path("improvements/", ListPage.as_view(spec=views.ACTION_SPEC), name="action_list"),
    path("improvements/<int:pk>/", views.improvement, name="action"),
    *urls_for(views.QUESTION_SPEC, "surveys/questions"),
]
