from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "anxin.ops"
    default_auto_field = "django.db.models.BigAutoField"
