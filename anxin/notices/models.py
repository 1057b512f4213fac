"""A notice to one user, in the app and by e-mail. Its subject (a case, an order) is named by
its kind and number ("dispute:DS2026..."), not by a foreign key: every app sends notices, and
this app sits below all of them."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Notification(models.Model):
    """In-app notice, also sent by e-mail when the user has an address."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # "<model>:<number>" of what the notice is about, or "" (a seller's verification, say).
    subject = models.CharField(max_length=80, blank=True, default="")
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "read_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"

    @property
    def subject_kind(self) -> str:
        return self.subject.partition(":")[0]

    @property
    def subject_number(self) -> str:
        return self.subject.partition(":")[2]
