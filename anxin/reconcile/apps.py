from django.apps import AppConfig


class ReconcileConfig(AppConfig):
    name = "anxin.reconcile"
    label = "reconcile"
