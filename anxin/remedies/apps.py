from django.apps import AppConfig


class RemediesConfig(AppConfig):
    name = "anxin.remedies"
    default_auto_field = "django.db.models.BigAutoField"
