"""A seller's payouts pages, in the web shell's namespace like every page."""

from django.urls import path

from anxin.payouts import views

urlpatterns = [
    path("seller/payouts", views.payouts_page, name="seller_payouts"),
    path("seller/payouts/statement.csv", views.payouts_statement, name="seller_payouts_statement"),
]
