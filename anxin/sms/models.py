from __future__ import annotations

from django.db import models


class SandboxSms(models.Model):
    """A text message the sandbox provider 'sent': kept so that the demo can show what a phone
    would have received (the sandbox codes page). A real provider keeps nothing here."""

    number = models.CharField(max_length=11)
    text = models.CharField(max_length=300)
    # The one-time code the message carries, as the phone shows it (the sandbox is the phone).
    code = models.CharField(max_length=8)
    message_id = models.CharField(max_length=40, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at"], name="sandboxsms_sent")]

    def __str__(self) -> str:
        return f"{self.number} {self.sent_at:%Y-%m-%d %H:%M}"
