from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "anxin.ledger"
    label = "ledger"
