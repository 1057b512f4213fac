from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "anxin.orders"
    label = "orders"

    def ready(self) -> None:
        from anxin.core import hooks
        from anxin.orders import selectors, services

        # Payments and carriers sit below orders: they tell the order through these points.
        hooks.register(hooks.PAYMENT_SUCCEEDED, services.order_payment_succeeded)
        hooks.register(hooks.PAYMENT_FAILED, services.order_payment_failed)
        hooks.register(hooks.REFUND_COMPLETED, services.order_refund_completed)
        hooks.register(hooks.PARCEL_DELIVERED, services.order_delivered)
        # Sellers sit below orders too: the law's view of a seller weighs its sales.
        hooks.register(hooks.SELLER_SALES, selectors.seller_sales)
        # ... and a buyer's order may entitle it to the seller's identity.
        hooks.register(hooks.IDENTITY_BASIS, selectors.order_identity_basis)
        # ... and the evidence log's public page says which order a voucher's record is of.
        hooks.register(hooks.RECORD_SUBJECT, selectors.order_record_subject)
