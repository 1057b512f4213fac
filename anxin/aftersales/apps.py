from django.apps import AppConfig


class AftersalesConfig(AppConfig):
    name = "anxin.aftersales"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models import Exists, OuterRef

        from anxin.aftersales import services
        from anxin.aftersales.models import SellerDebt
        from anxin.core import hooks
        from anxin.orders import locks

        # Every order lock reads whether the order's seller owes a debt: releasing money to
        # a seller in debt queues its collection (on_seller_paid_out).
        locks.order_lock_read_register(
            locks.SELLER_IN_DEBT,
            Exists(SellerDebt.objects.filter(seller_id=OuterRef("seller_id"), settled_at=None)),
        )
        hooks.register(hooks.SELLER_PAID_OUT, services.on_seller_paid_out)
        hooks.register(hooks.PARCEL_DELIVERED, services.return_delivered)
