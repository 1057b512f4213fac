from django.apps import AppConfig


class SellersConfig(AppConfig):
    name = "anxin.sellers"
    default_auto_field = "django.db.models.BigAutoField"
