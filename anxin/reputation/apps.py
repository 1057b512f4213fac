from django.apps import AppConfig


class ReputationConfig(AppConfig):
    name = "anxin.reputation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from anxin.core import hooks
        from anxin.reputation import blacklist, credit

        # The seller's verification is a credit factor and the blacklist bars an identity
        # from verifying: sellers sit below reputation and tell it through these points.
        hooks.register(hooks.SELLER_RECORD_CHANGED, credit.on_seller_record_changed)
        hooks.register(hooks.SELLER_VERIFYING, blacklist.on_seller_verifying)
