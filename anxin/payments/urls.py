from django.urls import path

from anxin.payments import views

app_name = "payments"
urlpatterns = [
    path("sandbox/pay/<str:payment_id>", views.sandbox_cashier, name="sandbox_cashier"),
    path("pay/<int:payment_pk>", views.wallet_cashier, name="wallet_cashier"),
    path("pay/return/<str:provider>", views.provider_return, name="provider_return"),
]
