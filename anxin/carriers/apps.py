from django.apps import AppConfig


class CarriersConfig(AppConfig):
    name = "anxin.carriers"
    default_auto_field = "django.db.models.BigAutoField"
