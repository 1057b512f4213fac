from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "anxin.sms"
    label = "sms"
    verbose_name = "SMS"
