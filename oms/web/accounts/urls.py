from django.urls import path

from oms.web.accounts import views
from oms.web.listing import urls_for

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("sessions/", views.sessions, name="sessions"),
    path("api-tokens/", views.api_tokens, name="api_tokens"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("sessions/<int:pk>/end/", views.end_session, name="end_session"),
    path("login-locks/", views.login_locks, name="login_locks"),
    *urls_for(views.DEPARTMENT_SPEC, "departments"),
    *urls_for(views.USER_SPEC, "users"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
]
