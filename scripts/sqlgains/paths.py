"""The callers' own services with their module's core.sql names replaced by the ORM's: ledger
transfers, a payment notification, the sandbox's payment, a dispute's evidence and a batch of
dispute deadlines."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from .fixtures import World
from .harness import Case
from .orm import orm_in


def paths(w: World, calls: int, chunk: int) -> list[Case]:
    from django.utils import timezone

    import anxin.disputes.writer as writer
    import anxin.ledger.services as ledger
    import anxin.payments.providers.sandbox as sandbox
    import anxin.payments.services as payments
    from anxin.disputes import deadlines
    from anxin.disputes import services as disputes
    from anxin.disputes.models import Dispute
    from anxin.ledger.posting import Kind
    from anxin.ledger.services import (
        TransferRequest,
        buyer_account,
        fees_account,
        provider_account,
        seller_account,
        transfers_create,
    )

    order = w.shipped[0]
    buyer, seller = buyer_account(order.buyer_id), seller_account(order.seller_id)
    share, fee = order.seller_share_fen, order.fee_fen

    def capture(_: int) -> list[TransferRequest]:
        hold_s, hold_f = uuid.uuid4(), uuid.uuid4()
        return [
            TransferRequest(
                uuid.uuid4(),
                provider_account("sandbox"),
                buyer,
                share + fee,
                "capture",
                order.number,
            ),
            TransferRequest(
                hold_s, buyer, seller, share, "escrow_hold", order.number, Kind.PENDING
            ),
            TransferRequest(
                hold_f, buyer, fees_account(), fee, "fee_hold", order.number, Kind.PENDING
            ),
        ]

    def releases(k: int) -> list[list[TransferRequest]]:
        out = []
        for i in range(k):
            chain = capture(i)
            transfers_create(chain)  # untimed: the holds the release posts
            out.append(
                [
                    TransferRequest(
                        uuid.uuid4(),
                        t.debit,
                        t.credit,
                        t.amount,
                        "release",
                        order.number,
                        Kind.POST_PENDING,
                        t.id,
                    )
                    for t in chain[1:]
                ]
            )
        return out

    def signed(i: int) -> tuple[bytes, dict[str, str]]:
        o = w.awaiting[i % len(w.awaiting)]
        p = o.payments.get()
        body = json.dumps(
            {
                "id": f"evt_{uuid.uuid4().hex[:24]}",
                "event_type": "payment.succeeded",
                "created_at": timezone.now().isoformat(),
                "resource": {
                    "payment_id": p.provider_payment_id,
                    "merchant_ref": o.number,
                    "amount_fen": p.amount_fen,
                    "failure_reason": "",
                },
            },
            sort_keys=True,
        ).encode()
        return body, sandbox.sign(body)

    sandbox_ids = [o.payments.get().provider_payment_id for o in w.awaiting]
    batch_ids = [d.pk for d in w.disputes[: deadlines.BATCH]]

    def due(k: int) -> list[list[int]]:
        Dispute.objects.filter(pk__in=batch_ids).update(
            due_at=timezone.now() - dt.timedelta(seconds=1)
        )
        return [batch_ids] * k

    def p(
        name: str,
        use: str,
        prepare: Any,
        run: Any,
        modules: tuple[Any, ...],
        n: int,
        k: int,
        per: str = "call",
    ) -> Case:
        return Case(
            section="paths",
            name=name,
            use=use,
            prepare=prepare,
            variants={"compiled": (run, None), "orm": (run, lambda: orm_in(*modules))},
            calls=n,
            chunk=k,
            per=per,
        )

    k = min(chunk, len(w.awaiting))
    hot = max(k, calls // 10)
    return [
        p(
            "transfers_create, capture (3 transfers)",
            "ledger.services",
            lambda n: [capture(i) for i in range(n)],
            transfers_create,
            (ledger,),
            hot,
            k,
        ),
        p(
            "transfers_create, release (2 posts)",
            "ledger.services",
            releases,
            transfers_create,
            (ledger,),
            hot,
            k,
        ),
        p(
            "notification_receive, payment succeeded",
            "payments.services",
            lambda n: [signed(i) for i in range(n)],
            lambda x: payments.notification_receive(
                provider_name="sandbox", body=x[0], headers=x[1]
            ),
            (payments,),
            hot,
            k,
        ),
        p(
            "buyer_pays (the sandbox's side)",
            "payments.providers.sandbox",
            lambda n: [sandbox_ids[i % len(sandbox_ids)] for i in range(n)],
            lambda pid: w.provider.buyer_pays(pid),
            (sandbox,),
            hot,
            k,
        ),
        p(
            "dispute_evidence_submit (text)",
            "disputes.writer",
            lambda n: [w.disputes[i % len(w.disputes)] for i in range(n)],
            lambda d: disputes.dispute_evidence_submit(
                actor=d.buyer, number=d.number, text="补充照片说明"
            ),
            (writer,),
            hot,
            k,
        ),
        p(
            f"dispute_deadlines_batch ({len(batch_ids)} cases)",
            "disputes.writer",
            due,
            deadlines.dispute_deadlines_batch,
            (writer,),
            max(3, calls // 400),
            1,
            per="batch",
        ),
    ]
