from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "anxin.web"
    label = "web"
