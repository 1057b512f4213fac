"""After-sales pages, in the web shell's namespace like every page. Its actions are posted to
the order's action address (orders/<number>/aftersale-...): this pattern is matched before the
order's own."""

import re

from django.urls import path, re_path

from anxin.aftersales import views

_ACTIONS = "|".join(re.escape(action) for action in views.AFTERSALE_ACTIONS)

urlpatterns = [
    path(
        "orders/<str:number>/after-sales/preview",
        views.aftersale_preview,
        name="aftersale_preview",
    ),
    re_path(
        rf"^orders/(?P<number>[^/]+)/(?P<action>{_ACTIONS})$",
        views.aftersale_action,
        name="aftersale_action",
    ),
]
