from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "anxin.web"
    label = "web"

    def ready(self) -> None:
        """The shell wires the apps' sections into the order's pages, and their part of the
        order list (reviews, returns, complaints): orders knows none of the apps above it,
        and they may not change its pages themselves."""
        from anxin.aftersales.views import order_aftersales_panel
        from anxin.disputes.views import order_cases_panel
        from anxin.orders.views import (
            checkout_panels_register,
            order_list_register,
            order_panels_register,
        )
        from anxin.reputation.views import checkout_credit_panel, order_review_panel
        from anxin.web.order_list import extras

        order_panels_register(order_aftersales_panel, order_review_panel, order_cases_panel)
        checkout_panels_register(checkout_credit_panel)
        order_list_register(extras())
