"""A seller's own pages and the licence queue, in the web shell's namespace like every page."""

from django.urls import path

from anxin.sellers import views

urlpatterns = [
    path("seller/profile", views.seller_profile, name="seller_profile"),
    path("seller/verification", views.verification, name="seller_verification"),
    path("desk/licences", views.licence_queue, name="licence_queue"),
    path("sellers/identity", views.identity_disclose, name="identity_disclose"),
    path("seller/badge", views.seller_badge, name="seller_badge"),
    path("seller/badge.svg", views.seller_badge_qr, name="seller_badge_qr"),
    path("sellers/badge.vkey", views.badge_key, name="badge_key"),
]
