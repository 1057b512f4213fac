from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "anxin.disputes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from anxin.core import hooks
        from anxin.disputes import selectors, services

        hooks.register(hooks.BUYER_REFUNDED, services.on_buyer_refunded)
        hooks.register(hooks.DEBT_REPAID, services.on_debt_repaid)
        hooks.register(hooks.IDENTITY_BASIS, selectors.case_identity_basis)
