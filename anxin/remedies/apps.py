from django.apps import AppConfig


class RemediesConfig(AppConfig):
    name = "anxin.remedies"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models import Exists, OuterRef

        from anxin.core import hooks
        from anxin.orders import locks
        from anxin.remedies import tasks
        from anxin.remedies.models import SellerDebt

        # Every order lock reads whether the order's seller owes a debt: releasing money to
        # a seller in debt queues its collection (on_seller_paid_out).
        locks.order_lock_read_register(
            locks.SELLER_IN_DEBT,
            Exists(SellerDebt.objects.filter(seller_id=OuterRef("seller_id"), settled_at=None)),
        )
        hooks.register(hooks.SELLER_PAID_OUT, tasks.on_seller_paid_out)
