from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "anxin.disputes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from anxin.core import hooks
        from anxin.disputes import services

        hooks.register(hooks.BUYER_REFUNDED, services.on_buyer_refunded)
        hooks.register(hooks.DEBT_REPAID, services.on_debt_repaid)
