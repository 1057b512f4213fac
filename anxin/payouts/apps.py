from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "anxin.payouts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from anxin.core import hooks
        from anxin.payouts import matching, services
        from anxin.reconcile.services import MATCHERS

        # Payments sits below payouts and hands it the provider's payout notifications.
        hooks.register(hooks.PAYOUT_COMPLETED, services.payout_completed)
        # Reconciliation, below us too, matches the fund bill's payout lines through ours.
        MATCHERS["payout"] = matching.payouts_match
