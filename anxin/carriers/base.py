"""The contract every carrier adapter fulfils (a tracking aggregator such as Kuaidi100, or a
carrier's own API, or the sandbox). We subscribe to a tracking number; the carrier pushes
signed events that may arrive twice, late or out of order. `parse` verifies the signature
before anything reads the body."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


class EventRejected(Exception):
    def __init__(self, code: str, message: str, *, field: str = "notification") -> None:
        super().__init__(message)
        self.code = code
        self.field = field  # what was wrong: a header's name, or the notification as a whole


@dataclass(frozen=True)
class Event:
    id: str
    tracking_number: str
    status: str  # accepted | in_transit | delivered | returned
    occurred_at: dt.datetime


class Carrier(Protocol):
    name: str

    def subscribe(self, tracking_number: str) -> None: ...

    def parse(self, body: bytes, headers: Mapping[str, str]) -> Event: ...
