from django.urls import path

from oms.billing import account_views, views

app_name = "billing"
urlpatterns = [
    path("orders/<int:pk>/billing/<str:verb>/", views.billing, name="billing"),
    path("statements/<int:pk>/print/", views.statement_print, name="statement_print"),
    path("statements/<int:pk>/go/", views.statement_redirect, name="statement"),
    path("receivables/", views.receivables, name="receivables"),
    path("receivables/receipt/", views.payment, name="receipt"),
    path("receivables/payers/", views.payer_picker, name="payers"),
    path("receivables/account/", account_views.statement_of_account, name="account"),
    path("receivables/account/customers/", account_views.customer_picker, name="account_customers"),
    path("receivables/reminder/<int:pk>/", views.payment_reminder, name="reminder"),
    path("invoices/<int:pk>/dunning/", views.dunning, name="dunning"),
    path("invoices/<int:pk>/go/", views.invoice_redirect, name="invoice"),
]
