"""The whole API fuzzed from its own OpenAPI document (schemathesis): for every operation, as a
buyer and as a seller, with data that fits the document and data that does not, no answer is a
5xx, every error is problem+json, and no status is one the document does not declare.

Bounded for the suite (ANXIN_FUZZ_EXAMPLES per operation and mode, ANXIN_FUZZ_SECONDS in all);
`make fuzz` runs it bigger. The requests go to the WSGI application in this process, inside
the test's transaction, so the run leaves nothing behind."""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from anxin.api.errors import PROBLEM_TYPE
from anxin.conftest import Api, make_listing, place_order

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("ANXIN_FUZZ_EXAMPLES", "12"))
SECONDS = float(os.environ.get("ANXIN_FUZZ_SECONDS", "150"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def in_transaction():
    """Requests handled in this process, in the test's transaction: Django would otherwise
    close the connection (and with it the transaction) at the end of each request, as its own
    test client keeps it from doing."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@dataclass
class Fuzz:
    """One run's personas, known objects and what it saw."""

    users: dict[str, Any]
    known: dict[str, Any]
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[tuple[str, str], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.tokens = {who: Api(user).headers for who, user in self.users.items()}

    def operation(self, operation: Any, mode: GenerationMode, until: float) -> None:
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(
            case=operation.as_strategy(generation_mode=mode),
            who=st.sampled_from(sorted(self.users)),
            real=st.booleans(),
        )
        def run(case: Any, who: str, real: bool) -> None:
            if time.monotonic() > until:
                return  # this operation's share of the time is spent
            if real:
                for name in case.path_parameters or {}:
                    if name in self.known:
                        case.path_parameters[name] = self.known[name]
            self.call(case, who)

        try:
            run()
        except Unsatisfiable:
            pass  # no case of this mode could be made for it

    def call(self, case: Any, who: str) -> None:
        response = case.call(headers=self.tokens[who])
        self.statuses[response.status_code] += 1
        if response.status_code < 300 and "/auth/" in case.operation.label:
            # Logging out, revoking tokens, changing the password: the token used may be gone,
            # and the persona takes a new one.
            self.tokens[who] = Api(self.users[who]).headers
        try:
            case.validate_response(response, checks=CHECKS, headers=self.tokens[who])
            content_type = response.headers.get("content-type", [""])[0]
            if response.status_code >= 400 and content_type != PROBLEM_TYPE:
                raise AssertionError(f"error {response.status_code} as {content_type}")
        # Collected, so that one run reports every failure.
        except (Exception, BaseExceptionGroup) as e:
            key = (case.operation.label, f"{type(e).__name__} {response.status_code}")
            self.failures.setdefault(key, f"{case.as_curl_command()}\n{e}"[:2000])


def test_the_whole_api_holds_under_fuzzing(in_transaction, buyer, seller, capsys) -> None:
    # Given the API's OpenAPI document, and a buyer and a seller with a listing and an order
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())
    listing = make_listing(seller)
    order = place_order(buyer, listing)
    # Real objects, so that some requests get past the lookup to the code behind it.
    known = {
        "number": order.number,
        "code": listing.code,
        "listing_id": listing.pk,
        "seller_id": seller.pk,
    }
    fuzz = Fuzz(users={"buyer": buyer, "seller": seller}, known=known)
    # When every operation is fuzzed as buyer and as seller, with fitting and unfitting data
    operations = [r.ok() for r in schema.get_all_operations()]
    started = time.monotonic()
    for i, operation in enumerate(operations):
        # Each operation gets an equal share of what is left of the time.
        left = SECONDS - (time.monotonic() - started)
        until = time.monotonic() + left / (len(operations) - i)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz.operation(operation, mode, until)

    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(
            f"\nfuzz: {len(operations)} operations, {fuzz.statuses.total()} requests in "
            f"{elapsed:.0f}s, statuses {dict(sorted(fuzz.statuses.items()))}, "
            f"{len(fuzz.failures)} failures"
        )
    # Then no answer failed a check: no 5xx, every error problem+json, all as documented
    assert not fuzz.failures, "\n\n".join(
        f"{op} {what}\n{text}" for (op, what), text in fuzz.failures.items()
    )
