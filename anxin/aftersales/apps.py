from django.apps import AppConfig


class AftersalesConfig(AppConfig):
    name = "anxin.aftersales"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from anxin.aftersales import services
        from anxin.core import hooks

        hooks.register(hooks.PARCEL_DELIVERED, services.aftersale_return_delivered)
