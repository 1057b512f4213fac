from django.urls import path, re_path

from anxin.evidence import views

app_name = "log"
urlpatterns = [
    path("log/checkpoint", views.checkpoint, name="checkpoint"),
    path("log/key", views.key, name="key"),
    path("log/verify/<id:idx>", views.entry, name="entry"),
    re_path(r"^log/(?P<path>tile/.+)$", views.tile, name="tile"),
]
