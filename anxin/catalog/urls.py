"""A seller's listing pages, in the web shell's namespace like every page."""

from django.urls import path

from anxin.catalog import views

urlpatterns = [
    path("c/<str:code>/qr.svg", views.checkout_qr, name="checkout_qr"),
    path("seller/listings/new", views.listing_new, name="listing_new"),
    path("seller/listings/<id:listing_id>", views.listing_detail, name="listing_detail"),
    path("seller/listings/<id:listing_id>/edit", views.listing_edit, name="listing_edit"),
    path("seller/listings/<id:listing_id>/poster.png", views.listing_poster, name="listing_poster"),
]
