from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _register_sqlite_functions(sender: object, connection: Any, **kwargs: object) -> None:
    """SQLite has no SHA-256 in SQL: the trigger that queues a new record for the log
    (migration 0004) computes its leaf hash with this function, registered on every
    connection as Django registers its own date functions."""
    if connection.vendor == "sqlite":
        from anxin.evidence import merkle

        connection.connection.create_function(
            "anxin_leaf_hash", 1, lambda entry: merkle.leaf_hash(bytes(entry)), deterministic=True
        )


class EvidenceConfig(AppConfig):
    name = "anxin.evidence"
    label = "evidence"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        connection_created.connect(_register_sqlite_functions, dispatch_uid="evidence-sqlite")
