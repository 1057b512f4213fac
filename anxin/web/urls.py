from django.urls import path

from anxin.web import dispute_views, law_views, seller_views, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("signup/", views.signup, name="signup"),
    path("c/<str:code>", views.checkout, name="checkout"),
    path("c/<str:code>/qr.svg", views.checkout_qr, name="checkout_qr"),
    path("orders/", views.orders, name="orders"),
    path("orders/<str:number>", views.order_detail, name="order"),
    path("orders/<str:number>/status", views.order_status, name="order_status"),
    path("orders/<str:number>/messages", views.order_messages, name="order_messages"),
    path(
        "orders/<str:number>/attachments/<int:attachment_id>",
        views.order_attachment,
        name="order_attachment",
    ),
    path("orders/<str:number>/voucher", views.order_voucher, name="order_voucher"),
    path("orders/<str:number>/voucher.pdf", views.order_voucher_pdf, name="order_voucher_pdf"),
    path(
        "orders/<str:number>/voucher.tlog-proof",
        views.order_voucher_proof,
        name="order_voucher_proof",
    ),
    path("orders/<str:number>/evidence.zip", views.order_bundle, name="order_bundle"),
    path(
        "orders/<str:number>/after-sales/preview",
        views.aftersale_preview,
        name="aftersale_preview",
    ),
    path("orders/<str:number>/<str:action>", views.order_action, name="order_action"),
    path("seller/", views.seller_home, name="seller_home"),
    path("seller/profile", views.seller_profile, name="seller_profile"),
    path("seller/verification", seller_views.verification, name="seller_verification"),
    path("desk/licences", seller_views.licence_queue, name="licence_queue"),
    path("seller/listings/new", views.listing_new, name="listing_new"),
    path("seller/listings/<int:listing_id>", views.listing_detail, name="listing_detail"),
    path("seller/listings/<int:listing_id>/edit", views.listing_edit, name="listing_edit"),
    path("desk/", views.staff_home, name="staff_home"),
    path("disputes/", dispute_views.disputes, name="disputes"),
    path("disputes/new/", dispute_views.dispute_new, name="dispute_new"),
    path("disputes/new/view", dispute_views.dispute_filing_view, name="dispute_filing_view"),
    path("disputes/<str:number>/", dispute_views.dispute, name="dispute"),
    path("disputes/<str:number>/bundle.zip", dispute_views.dispute_bundle, name="dispute_bundle"),
    path(
        "disputes/<str:number>/files/<int:evidence_id>",
        dispute_views.dispute_file,
        name="dispute_file",
    ),
    path("disputes/<str:number>/<str:action>", dispute_views.dispute_action, name="dispute_action"),
    path("notices/", dispute_views.notifications, name="notifications"),
    path("guarantee/", dispute_views.guarantee, name="guarantee"),
    path("law/", law_views.law_index, name="law"),
    path("law/<str:statute_id>/", law_views.law_statute, name="law_statute"),
    path(
        "law/<str:statute_id>/<str:version>/",
        law_views.law_statute,
        name="law_statute_version",
    ),
]
