from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "anxin.core"
    label = "core"

    def ready(self) -> None:
        from django.urls import register_converter

        from anxin.core import checks  # noqa: F401 (registers Anxin's system checks)
        from anxin.core.converters import IdConverter

        # Before any URLconf is loaded: the pages' URLs name their ids <id:...>.
        register_converter(IdConverter, "id")
