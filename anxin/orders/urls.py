"""The order's pages, named in the web shell's namespace ("web:order") like every page."""

from django.urls import path

from anxin.orders import views

urlpatterns = [
    path("c/<str:code>", views.checkout, name="checkout"),
    path("orders/", views.orders, name="orders"),
    path("orders/<str:number>", views.order_detail, name="order"),
    path("orders/<str:number>/status", views.order_status, name="order_status"),
    path("orders/<str:number>/messages", views.order_messages, name="order_messages"),
    path("orders/<str:number>/voucher", views.order_voucher, name="order_voucher"),
    path("orders/<str:number>/voucher.pdf", views.order_voucher_pdf, name="order_voucher_pdf"),
    path(
        "orders/<str:number>/voucher.tlog-proof",
        views.order_voucher_proof,
        name="order_voucher_proof",
    ),
    path("orders/<str:number>/evidence.zip", views.order_bundle, name="order_bundle"),
    path("orders/<str:number>/<str:action>", views.order_action, name="order_action"),
]
