from __future__ import annotations

from django.db import models


class TrackingEvent(models.Model):
    """A carrier's tracking push, verified and kept once per event id (carriers resend)."""

    carrier = models.CharField(max_length=32)
    event_id = models.CharField(max_length=64)
    tracking_number = models.CharField(max_length=40, db_index=True)
    status = models.CharField(max_length=20)  # in_transit | delivered | ...
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField()
    times_received = models.PositiveIntegerField(default=1)
    outcome = models.CharField(max_length=200, blank=True)
    body = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["carrier", "event_id"], name="carriers_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number} {self.status}"


class SandboxParcel(models.Model):
    """The sandbox carrier's own books: the parcels it was asked to track."""

    tracking_number = models.CharField(max_length=40, unique=True)
    subscribed_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.tracking_number
