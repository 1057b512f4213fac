"""Reputation's pages, in the web shell's namespace like every page. A review is posted to
the order's action address (orders/<number>/review...): this pattern is matched before the
order's own."""

import re

from django.urls import path, re_path

from anxin.reputation import views

_ACTIONS = "|".join(re.escape(action) for action in views.REVIEW_ACTIONS)

urlpatterns = [
    path("s/<id:seller_id>", views.seller_public, name="seller_public"),
    path("s/<id:seller_id>/adjust", views.seller_adjust, name="seller_adjust"),
    path("s/<id:seller_id>/report", views.review_report, name="review_report"),
    path("blacklist/", views.blacklist_page, name="blacklist"),
    path("desk/blacklist", views.blacklist_desk, name="blacklist_desk"),
    path("desk/reviews", views.review_desk, name="review_desk"),
    re_path(
        rf"^orders/(?P<number>[^/]+)/(?P<action>{_ACTIONS})$",
        views.review_action,
        name="review_action",
    ),
]
