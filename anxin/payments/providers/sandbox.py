"""A payment provider that behaves like a real one, with no network.

It keeps its own books (the Sandbox* tables), signs every notification with its Ed25519 key the
way WeChat Pay v3 signs with its platform key (timestamp, nonce and body), delivers them
asynchronously through the task queue after a random delay, sometimes twice, retries with
backoff when our endpoint fails, and answers queries, closes and refunds idempotently.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import random
import secrets
from collections.abc import Mapping
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from anxin.core.sql import (
    fetch_instance,
    insert_instance,
    insert_row_unless_duplicate,
    update_where,
)
from anxin.payments.models import SandboxNotification, SandboxPayment, SandboxPayout, SandboxRefund
from anxin.payments.providers.base import (
    BillLine,
    Notification,
    NotificationRejected,
    PayoutAccount,
    ProviderError,
    ProviderPayment,
    ProviderPaymentState,
    ProviderPayout,
    ProviderRefund,
)

# The provider's retry schedule after a failed delivery, in seconds (WeChat Pay's, shortened
# at the tail): a notification is never silently dropped while we are down for a day.
RETRY_BACKOFF = [
    15,
    15,
    30,
    180,
    600,
    1200,
    1800,
    1800,
    1800,
    3600,
    10800,
    10800,
    10800,
    21600,
    21600,
]
HEADER_TIMESTAMP = "x-sandbox-timestamp"
HEADER_NONCE = "x-sandbox-nonce"
HEADER_SIGNATURE = "x-sandbox-signature"
HEADER_SERIAL = "x-sandbox-serial"

_rng = random.Random()
_BY_KEY = (
    "SELECT id, amount_fen, merchant_ref "  # noqa: S608
    f"FROM {SandboxPayment._meta.db_table} WHERE idempotency_key = %s"
)
_BY_ID = f"SELECT * FROM {SandboxPayment._meta.db_table} WHERE id = %s"  # noqa: S608
_PAYMENT_COLUMNS = (
    "id",
    "merchant_ref",
    "idempotency_key",
    "amount_fen",
    "description",
    "status",
    "failure_reason",
    "created_at",
    "completed_at",
)


@cache
def _private_key_for(path: str) -> Ed25519PrivateKey:
    from pathlib import Path

    p = Path(path)
    if not p.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        tmp = p.with_suffix(f".{secrets.token_hex(4)}.tmp")
        tmp.write_bytes(pem)
        tmp.chmod(0o600)
        try:
            os.link(tmp, p)  # atomic create: two processes starting at once agree on one key
        except FileExistsError:
            pass
        tmp.unlink()
    loaded = serialization.load_pem_private_key(p.read_bytes(), password=None)
    assert isinstance(loaded, Ed25519PrivateKey)
    return loaded


def _private_key() -> Ed25519PrivateKey:
    return _private_key_for(str(settings.ANXIN_KEYS_DIR / "sandbox-provider.pem"))


def public_key() -> Ed25519PublicKey:
    return _private_key().public_key()


def key_serial() -> str:
    raw = public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw.hex()[:16]


def sign(
    body: bytes,
    *,
    at: dt.datetime | None = None,
    nonce: str | None = None,
    key: Ed25519PrivateKey | None = None,
) -> dict[str, str]:
    ts = str(int((at or timezone.now()).timestamp()))
    nonce = nonce or secrets.token_hex(16)
    message = f"{ts}\n{nonce}\n".encode() + body + b"\n"
    signature = (key or _private_key()).sign(message)
    return {
        HEADER_TIMESTAMP: ts,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: base64.b64encode(signature).decode(),
        HEADER_SERIAL: key_serial(),
    }


def _relaxed(depth: int) -> bool:
    """The sandbox's own transactions stand in for another company's servers: their durability
    is not ours to guarantee, so on PostgreSQL they commit without waiting for the disk. A
    sandbox event lost to a server crash is a lost notification, which real providers produce
    too. Anxin's own transactions always commit synchronously.

    Only when the sandbox's transaction is the outermost one (`depth` is the number of atomic
    blocks the sandbox itself opened): never relax a transaction of Anxin's that happens to
    call into the sandbox. The setting is made by `_RELAX` inside the transaction's first
    statement rather than by a SET of its own, which would cost a round trip."""
    return connection.vendor == "postgresql" and len(connection.atomic_blocks) == depth


_RELAX = "set_config('synchronous_commit', 'off', true)"
# One autocommit statement: the delivery is recorded, relaxed when it may be.
_DELIVERED = (
    f"WITH relaxed AS (SELECT {_RELAX}) UPDATE {SandboxNotification._meta.db_table} "  # noqa: S608
    "SET attempts = %s, delivered_at = %s FROM relaxed WHERE id = %s"
)


# A new payment in one autocommit statement, relaxed: INSERT ... SELECT reads the CTE, so that
# set_config runs in the statement's own transaction (an unread CTE would not run at all).
_SANDBOX_PAYMENT_COLUMN = {f.name: f.column for f in SandboxPayment._meta.concrete_fields}
_INSERT_RELAXED = (
    f"WITH relaxed AS (SELECT {_RELAX}) "  # noqa: S608
    f"INSERT INTO {SandboxPayment._meta.db_table} "
    f"({', '.join(_SANDBOX_PAYMENT_COLUMN[n] for n in _PAYMENT_COLUMNS)}) "
    f"SELECT {', '.join(['%s'] * len(_PAYMENT_COLUMNS))} FROM relaxed ON CONFLICT DO NOTHING"
)


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


class SandboxProvider:
    name = "sandbox"
    notification_ack: tuple[bytes, str] | None = None  # the default JSON answer

    # --- what a merchant calls -----------------------------------------------------------------
    def create_payment(
        self, *, merchant_ref: str, amount_fen: int, description: str, idempotency_key: str
    ) -> ProviderPayment:
        if amount_fen <= 0:
            raise ProviderError("invalid_amount", "amount must be positive")
        pid = _new_id("sbxpay")
        # The idempotency key's unique index decides: a new key inserts (one statement), a
        # repeated one inserts nothing and the first payment is read back and compared.
        row: dict[str, Any] = {
            "id": pid,
            "merchant_ref": merchant_ref,
            "idempotency_key": idempotency_key,
            "amount_fen": amount_fen,
            "description": description[:200],
            "status": "created",
            "failure_reason": "",
            "created_at": timezone.now(),
            "completed_at": None,
        }
        if _relaxed(0):
            # Called outside Anxin's transactions (the payment outbox calls the provider after
            # its intent commits), so this one statement is the sandbox's own transaction:
            # relaxed like the sandbox's others, it spares a synchronous commit per payment
            # (about 5% of the checkout bench's service rate).
            with connection.cursor() as cur:
                cur.execute(_INSERT_RELAXED, [row[name] for name in _PAYMENT_COLUMNS])
                created = cur.rowcount == 1
        else:
            created = insert_row_unless_duplicate(SandboxPayment, **row)
        if not created:
            with connection.cursor() as cur:
                cur.execute(_BY_KEY, [idempotency_key])
                pid, known_amount, known_ref = cur.fetchone()
            if (known_amount, known_ref) != (amount_fen, merchant_ref):
                raise ProviderError("idempotency_mismatch", "same key, different payment")
        return ProviderPayment(pid, f"/sandbox/pay/{pid}")

    def query_payment(self, provider_payment_id: str) -> ProviderPaymentState:
        p = self._payment(provider_payment_id)
        return ProviderPaymentState(p.id, p.status, p.amount_fen, p.failure_reason)

    @transaction.atomic
    def close_payment(self, provider_payment_id: str) -> ProviderPaymentState:
        p = self._payment(provider_payment_id, lock=True)
        if p.status == "created":
            p.status = "closed"
            p.completed_at = timezone.now()
            p.save(update_fields=["status", "completed_at"])
        return ProviderPaymentState(p.id, p.status, p.amount_fen, p.failure_reason)

    @transaction.atomic
    def refund(
        self, *, provider_payment_id: str, amount_fen: int, idempotency_key: str
    ) -> ProviderRefund:
        existing = SandboxRefund.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return ProviderRefund(existing.id, existing.status)
        p = self._payment(provider_payment_id, lock=True)
        if p.status != "succeeded":
            raise ProviderError("payment_not_succeeded", f"payment {p.id} is {p.status}")
        refunded = p.refunds.exclude(status="failed").aggregate(s=Sum("amount_fen"))["s"] or 0
        if amount_fen <= 0 or refunded + amount_fen > p.amount_fen:
            raise ProviderError(
                "refund_exceeds_payment",
                f"refund of {amount_fen} exceeds what remains of {p.amount_fen}",
            )
        r = SandboxRefund.objects.create(
            id=_new_id("sbxref"),
            payment=p,
            idempotency_key=idempotency_key,
            amount_fen=amount_fen,
            created_at=timezone.now(),
        )
        # A refund to a closed card fails at the bank; amounts ending in 13 fen simulate that.
        outcome = "refund.failed" if amount_fen % 100 == 13 else "refund.succeeded"
        self._emit(
            outcome,
            {
                "payment_id": p.id,
                "refund_id": r.id,
                "refund_key": idempotency_key,
                "amount_fen": amount_fen,
                "failure_reason": "card account closed" if outcome == "refund.failed" else "",
            },
        )
        return ProviderRefund(r.id, r.status)

    def parse_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        h = {k.lower(): v for k, v in headers.items()}
        missing = [n for n in (HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE) if not h.get(n)]
        if missing:
            raise NotificationRejected("missing_signature", f"missing header {missing[0]}")
        try:
            ts = int(h[HEADER_TIMESTAMP])
            signature = base64.b64decode(h[HEADER_SIGNATURE], validate=True)
        except ValueError:
            raise NotificationRejected("bad_signature", "malformed signature headers") from None
        message = f"{h[HEADER_TIMESTAMP]}\n{h[HEADER_NONCE]}\n".encode() + body + b"\n"
        try:
            public_key().verify(signature, message)
        except InvalidSignature:
            raise NotificationRejected("bad_signature", "signature does not verify") from None
        skew = abs(timezone.now().timestamp() - ts)
        if skew > settings.ANXIN_SANDBOX_SIGNATURE_TOLERANCE_SECONDS:
            # A valid signature from long ago is a replay: the provider re-signs every attempt.
            raise NotificationRejected("stale_signature", f"signed {int(skew)} s away from now")
        try:
            doc = json.loads(body)
            res = doc["resource"]
            return Notification(
                id=str(doc["id"]),
                event_type=str(doc["event_type"]),
                occurred_at=dt.datetime.fromisoformat(doc["created_at"]),
                provider_payment_id=str(res["payment_id"]),
                amount_fen=int(res["amount_fen"]),
                provider_refund_id=str(res.get("refund_id", "")),
                refund_key=str(res.get("refund_key", "")),
                failure_reason=str(res.get("failure_reason", "")),
                provider_payout_id=str(res.get("payout_id", "")),
                payout_key=str(res.get("payout_key", "")),
            )
        except (ValueError, KeyError, TypeError) as e:
            raise NotificationRejected("malformed", f"body is not a notification: {e}") from None

    # --- what the buyer does at the sandbox's cashier ------------------------------------------
    @transaction.atomic
    def buyer_pays(
        self,
        provider_payment_id: str,
        *,
        succeed: bool = True,
        reason: str = "insufficient balance",
    ) -> SandboxPayment:
        p = self._payment(provider_payment_id, lock=True, relax=_relaxed(1))
        if p.status != "created":
            raise ProviderError("payment_not_open", f"payment is {p.status}")
        p.status = "succeeded" if succeed else "failed"
        p.failure_reason = "" if succeed else reason
        p.completed_at = timezone.now()
        update_where(
            SandboxPayment,
            {"id": p.id},
            status=p.status,
            failure_reason=p.failure_reason,
            completed_at=p.completed_at,
        )
        p.emitted = self._emit(
            "payment.succeeded" if succeed else "payment.failed",
            {
                "payment_id": p.id,
                "merchant_ref": p.merchant_ref,
                "amount_fen": p.amount_fen,
                "failure_reason": p.failure_reason,
            },
        )
        return p

    # --- the notifier --------------------------------------------------------------------------
    def _emit(self, event_type: str, resource: dict) -> list[SandboxNotification]:
        from anxin.payments.tasks import sandbox_deliver

        now = timezone.now()
        event_id = _new_id("evt")
        copies = 2 if _rng.random() < settings.ANXIN_SANDBOX_DUPLICATE_RATE else 1
        rows = []
        for _ in range(copies):
            delay = _rng.uniform(0, settings.ANXIN_SANDBOX_MAX_DELAY_SECONDS)
            row = SandboxNotification(
                event_id=event_id,
                event_type=event_type,
                resource=resource,
                deliver_after=now + dt.timedelta(seconds=delay),
                created_at=now,
            )
            insert_instance(row)
            # The queue row commits with the event itself: no event without its delivery.
            sandbox_deliver.using(run_after=row.deliver_after).enqueue(row.pk)
            rows.append(row)
        return rows

    def body_for(self, row: SandboxNotification) -> bytes:
        return json.dumps(
            {
                "id": row.event_id,
                "event_type": row.event_type,
                "created_at": row.created_at.isoformat(),
                "resource": row.resource,
            },
            sort_keys=True,
        ).encode()

    def deliver(self, row_id: int | SandboxNotification) -> bool:
        """Deliver one notification to the merchant's endpoint; schedule a retry if it fails."""
        from anxin.payments.services import notification_receive
        from anxin.payments.tasks import sandbox_deliver

        row = (
            row_id
            if isinstance(row_id, SandboxNotification)
            else SandboxNotification.objects.get(pk=row_id)
        )
        if row.delivered_at or row.gave_up:
            return True
        body = self.body_for(row)
        try:
            notification_receive(provider_name=self.name, body=body, headers=sign(body))
        except Exception as e:
            row.attempts += 1
            row.last_error = f"{type(e).__name__}: {e}"[:300]
            if row.attempts > len(RETRY_BACKOFF):
                row.gave_up = True
            else:
                row.deliver_after = timezone.now() + dt.timedelta(
                    seconds=RETRY_BACKOFF[row.attempts - 1]
                )
                sandbox_deliver.using(run_after=row.deliver_after).enqueue(row.pk)
            row.save(update_fields=["attempts", "last_error", "gave_up", "deliver_after"])
            return False
        row.attempts += 1
        row.delivered_at = timezone.now()
        if _relaxed(0):
            with connection.cursor() as cur:
                cur.execute(_DELIVERED, [row.attempts, row.delivered_at, row.pk])
        else:
            update_where(
                SandboxNotification,
                {"id": row.pk},
                attempts=row.attempts,
                delivered_at=row.delivered_at,
            )
        return True

    def _payment(
        self, provider_payment_id: str, *, lock: bool = False, relax: bool = False
    ) -> SandboxPayment:
        sql = _BY_ID
        if relax:
            sql = sql.replace("SELECT *", f"SELECT *, {_RELAX} AS relaxed", 1)
        if lock and connection.features.has_select_for_update:
            sql += " FOR UPDATE"
        found = fetch_instance(SandboxPayment, sql, [provider_payment_id])
        if found is None:
            raise ProviderError("no_such_payment", provider_payment_id)
        return found

    # --- the daily bill (reconciliation) -------------------------------------------------------
    def download_bill(self, day: dt.date) -> bytes:
        """The trade bill of `day` (Beijing time) in WeChat Pay's CSV layout or Alipay's zipped
        CSV files, as ANXIN_SANDBOX_BILL_FORMAT says (layouts: providers.bills). Like a real
        provider's: the payments that succeeded that day, at their success time, and the
        refunds accepted that day with the outcome the sandbox notified."""
        from anxin.payments.providers import bills

        start = dt.datetime.combine(day, dt.time(), tzinfo=bills.BEIJING)
        end = start + dt.timedelta(days=1)
        lines: list[BillLine] = [
            BillLine(
                kind="payment",
                provider_id=pid,
                merchant_ref=ref,
                amount_fen=amount,
                status="succeeded",
                occurred_at=at or start,
            )
            for pid, ref, amount, at in SandboxPayment.objects.filter(
                status="succeeded", completed_at__gte=start, completed_at__lt=end
            )
            .order_by("completed_at", "id")
            .values_list("id", "merchant_ref", "amount_fen", "completed_at")
            .iterator(chunk_size=5000)
        ]
        refunds = list(
            SandboxRefund.objects.filter(created_at__gte=start, created_at__lt=end)
            .order_by("created_at", "id")
            .values_list("id", "payment_id", "idempotency_key", "amount_fen", "created_at")
        )
        outcome: dict[str, str] = {}
        if refunds:
            # The sandbox decides a refund's outcome as it accepts it, and says it in the
            # notification it emits then: the bill reads it there.
            for event_type, resource in SandboxNotification.objects.filter(
                event_type__in=("refund.succeeded", "refund.failed"),
                created_at__gte=start,
                created_at__lt=end + dt.timedelta(minutes=1),
            ).values_list("event_type", "resource"):
                outcome[str(resource.get("refund_id", ""))] = event_type.split(".")[1]
        lines += [
            BillLine(
                kind="refund",
                provider_id=rid,
                merchant_ref=key,
                amount_fen=amount,
                status=outcome.get(rid, "processing"),
                occurred_at=at,
                provider_payment_id=pid,
            )
            for rid, pid, key, amount, at in refunds
        ]
        if settings.ANXIN_SANDBOX_BILL_FORMAT == "alipay":
            return bills.alipay_bill_write(day, lines)
        return bills.wechat_bill_write(lines)

    def download_payout_bill(self, day: dt.date) -> bytes:
        """The account's fund bill of `day` (Beijing time), in the format
        ANXIN_SANDBOX_BILL_FORMAT says: a line for each payout paid out that day (at the time
        the bank paid it) and one for each payout the bank sent back that day."""
        from anxin.payments.providers import bills

        start = dt.datetime.combine(day, dt.time(), tzinfo=bills.BEIJING)
        end = start + dt.timedelta(days=1)
        moved = SandboxPayout.objects.filter(status__in=("succeeded", "returned"))
        lines = [
            BillLine("payout", pid, key, amount, "succeeded", at or start)
            for pid, key, amount, at in moved.filter(completed_at__gte=start, completed_at__lt=end)
            .order_by("completed_at", "id")
            .values_list("id", "payout_key", "amount_fen", "completed_at")
        ]
        lines += [
            BillLine("payout", pid, key, amount, "returned", at or start)
            for pid, key, amount, at in moved.filter(returned_at__gte=start, returned_at__lt=end)
            .order_by("returned_at", "id")
            .values_list("id", "payout_key", "amount_fen", "returned_at")
        ]
        lines.sort(key=lambda line: line.occurred_at)
        if settings.ANXIN_SANDBOX_BILL_FORMAT == "alipay":
            return bills.alipay_fund_bill_write(day, lines)
        return bills.wechat_fund_bill_write(lines)

    def parse_bill(self, data: bytes) -> list[BillLine]:
        from anxin.payments.providers import bills

        return bills.bill_parse(data)

    # --- payouts to a seller's card or wallet --------------------------------------------------
    # The sandbox's bank decides by the account number's last four characters, so a test or a
    # demo can ask for every outcome: "0002" is refused (payout.failed), "0003" is paid and then
    # comes back (payout.succeeded, later payout.returned); any other number is paid. The result
    # comes PAYOUT_SETTLE_SECONDS after the request, a return PAYOUT_RETURN_SECONDS after that.
    PAYOUT_SETTLE_SECONDS = 60
    PAYOUT_RETURN_SECONDS = 3600
    PAYOUT_REFUSED_TAIL = "0002"
    PAYOUT_RETURNED_TAIL = "0003"

    def payout(
        self, *, payout_key: str, amount_fen: int, account: PayoutAccount, description: str
    ) -> ProviderPayout:
        """Accept a payout (`processing`); its result is notified later. Idempotent by key:
        the same key returns the first payout as it stands, a changed request is refused."""
        from anxin.payments.tasks import sandbox_payout_settle

        if amount_fen <= 0:
            raise ProviderError("invalid_amount", "amount must be positive")
        if account.kind not in ("bank_card", "wechat", "alipay") or not (
            account.holder_name.strip() and account.number.strip()
        ):
            raise ProviderError("invalid_account", "the account is not one the bank can pay")
        tail = account.number.strip()[-4:]
        outcome = {self.PAYOUT_REFUSED_TAIL: "fail", self.PAYOUT_RETURNED_TAIL: "return"}.get(
            tail, "succeed"
        )
        now = timezone.now()
        with transaction.atomic():
            created = insert_row_unless_duplicate(
                SandboxPayout,
                id=_new_id("sbxpo"),
                payout_key=payout_key,
                amount_fen=amount_fen,
                account_kind=account.kind,
                account_tail=tail,
                outcome=outcome,
                status="processing",
                failure_reason="",
                created_at=now,
                completed_at=None,
                returned_at=None,
            )
            p = SandboxPayout.objects.get(payout_key=payout_key)
            if not created:
                if (p.amount_fen, p.account_kind, p.account_tail) != (
                    amount_fen,
                    account.kind,
                    tail,
                ):
                    raise ProviderError("idempotency_mismatch", "same key, different payout")
            else:
                sandbox_payout_settle.using(
                    run_after=now + dt.timedelta(seconds=self.PAYOUT_SETTLE_SECONDS)
                ).enqueue(p.id)
        return self._payout_state(p)

    def query_payout(self, payout_key: str) -> ProviderPayout:
        p = SandboxPayout.objects.filter(payout_key=payout_key).first()
        if p is None:
            raise ProviderError("no_such_payout", payout_key)
        return self._payout_state(p)

    @transaction.atomic
    def payout_settle(self, payout_id: str) -> str:
        """The bank's answer (a task, PAYOUT_SETTLE_SECONDS after the request): paid or refused;
        a paid one to a returning account comes back PAYOUT_RETURN_SECONDS later (this task
        again). Each change is notified once; running it again changes nothing."""
        from anxin.payments.tasks import sandbox_payout_settle

        p = SandboxPayout.objects.select_for_update().get(pk=payout_id)
        now = timezone.now()
        if p.status == "processing":
            if p.outcome == "fail":
                p.status, p.failure_reason = "failed", "account refused by the bank"
            else:
                p.status = "succeeded"
            p.completed_at = now
            if p.outcome == "return":
                sandbox_payout_settle.using(
                    run_after=now + dt.timedelta(seconds=self.PAYOUT_RETURN_SECONDS)
                ).enqueue(p.id)
        elif p.status == "succeeded" and p.outcome == "return":
            p.status, p.failure_reason, p.returned_at = "returned", "account closed", now
        else:
            return p.status
        p.save(update_fields=["status", "failure_reason", "completed_at", "returned_at"])
        self._emit(
            f"payout.{p.status}",
            {
                "payment_id": "",
                "payout_id": p.id,
                "payout_key": p.payout_key,
                "amount_fen": p.amount_fen,
                "failure_reason": p.failure_reason,
            },
        )
        return p.status

    def _payout_state(self, p: SandboxPayout) -> ProviderPayout:
        return ProviderPayout(p.payout_key, p.id, p.status, p.amount_fen, p.failure_reason)
