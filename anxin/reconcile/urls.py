"""Reconciliation's page, in the web shell's namespace like every page."""

from django.urls import path

from anxin.reconcile import views

urlpatterns = [
    path("desk/reconcile", views.reconcile_desk, name="reconcile_desk"),
]
