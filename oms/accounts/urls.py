from django.contrib.auth import views as auth_views
from django.urls import path

from oms.accounts import views
from oms.core.listing import urls_for

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    *urls_for(views.DEPARTMENT_SPEC, "departments"),
    *urls_for(views.USER_SPEC, "users"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
]
