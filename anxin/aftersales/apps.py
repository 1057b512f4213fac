from django.apps import AppConfig


class AftersalesConfig(AppConfig):
    name = "anxin.aftersales"
    default_auto_field = "django.db.models.BigAutoField"
