from django.urls import path

from oms.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<str:number>/", views.order, name="order"),
    path("orders/<str:number>/confirm/", views.confirm, name="confirm"),
    path("orders/<str:number>/shipments/<int:batch>/accept/", views.accept, name="accept"),
    path("orders/<str:number>/documents/<int:pk>/", views.document, name="document"),
    path("orders/<str:number>/complaint/", views.complaint_new, name="complaint_new"),
    path("orders/<str:number>/change/", views.change, name="change"),
    path("complaints/", views.complaints, name="complaints"),
    path("invoices/", views.money, name="money"),
    path("surveys/", views.surveys, name="surveys"),
    path("surveys/<int:pk>/", views.survey, name="survey"),
    path("messages/", views.inbox, name="inbox"),
    path("password/", views.password, name="password"),
    path("api-tokens/", views.api_tokens, name="api_tokens"),
]
