"""A seller's payouts page: its balance (held, withdrawable), its cards and wallets (added,
or removed after a confirmation), a withdrawal (asked, then confirmed with its amount shown),
its withdrawals, and a month's statement of its balance as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import secrets

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.accounts.models import Role
from anxin.accounts.pages import UserRequest, role_required
from anxin.core.errors import DomainError, ValidationFailed
from anxin.core.money import parse_yuan
from anxin.core.pages import user_message
from anxin.core.text import parse_int
from anxin.law.days import BEIJING
from anxin.ledger.models import Account, Transfer
from anxin.ledger.services import seller_account
from anxin.payouts import selectors, services
from anxin.payouts.models import AccountKind
from anxin.sellers.services import shop_closure_of


def _movements() -> dict[str, str]:
    """What each ledger code on a seller's balance is, in words (the statement's column)."""
    return {
        "escrow_release": _("Order paid out to you"),
        "clawback": _("Taken back for a buyer's refund"),
        "recovery": _("Taken for a debt to a buyer"),
        "deposit": _("Moved to your guarantee deposit"),
        "payout_post": _("Withdrawal"),
        "payout_returned": _("Withdrawal returned by the bank"),
    }


@role_required(Role.SELLER)
def payouts_page(request: UserRequest) -> HttpResponse:
    error, confirm = None, None
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("form") == "account":
                services.payout_account_add(
                    actor=request.user,
                    kind=p.get("kind", ""),
                    holder_name=p.get("holder_name", ""),
                    number=p.get("number", ""),
                    bank=p.get("bank", ""),
                )
                messages.success(request, _("Account added."))
                return redirect("web:seller_payouts")
            if p.get("form") == "remove":
                services.payout_account_remove(
                    actor=request.user,
                    account_id=parse_int(p.get("account_id"), "account_id", minimum=1),
                )
                messages.success(request, _("Account removed."))
                return redirect("web:seller_payouts")
            amount = parse_yuan(p.get("amount", ""), field="amount_fen")
            if amount <= 0:
                raise ValidationFailed("amount_fen: must be more than 0", field="amount_fen")
            account_id = parse_int(p.get("account_id"), "account_id", minimum=1)
            if p.get("confirmed") != "1":
                confirm = {
                    "amount_fen": amount,
                    "amount": p.get("amount", ""),
                    "account": next(
                        (a for a in selectors.accounts_of(request.user.pk) if a.pk == account_id),
                        None,
                    ),
                    "account_id": account_id,
                    "key": p.get("key", ""),
                }
            else:
                services.payout_request(
                    actor=request.user,
                    amount_fen=amount,
                    account_id=account_id,
                    key=p.get("key", ""),
                )
                messages.success(request, _("Withdrawal requested. The bank's answer follows."))
                return redirect("web:seller_payouts")
        except DomainError as e:
            error = user_message(e)
    today = dt.datetime.now(BEIJING).date()
    closure = shop_closure_of(request.user.pk)
    return render(
        request,
        "payouts/payouts.html",
        {
            "balance": selectors.payout_balance(request.user.pk),
            "accounts": selectors.accounts_of(request.user.pk),
            "payouts": selectors.payouts_of(request.user.pk)[:50],
            "kinds": AccountKind.choices,
            "key": secrets.token_hex(12),
            "error": error,
            "confirm": confirm,
            "month": today.strftime("%Y-%m"),
            # The closure's stage, for why withdrawals are stopped: closing, or closed.
            "shop_closed": closure is not None and closure.closes_at <= timezone.now(),
        },
    )


@role_required(Role.SELLER)
def payouts_statement(request: UserRequest) -> HttpResponse:
    """Every movement of the seller's balance in a month (Beijing time), as CSV."""
    month = request.GET.get("month", "")
    try:
        start = dt.datetime.strptime(month + "-01", "%Y-%m-%d").replace(tzinfo=BEIJING)
    except ValueError:
        start = dt.datetime.now(BEIJING).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="anxin-statement-{start.strftime("%Y-%m")}.csv"'
    )
    response.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese text only with a BOM
    out = csv.writer(response)
    out.writerow([_("Time"), _("Movement"), _("Reference"), _("In (yuan)"), _("Out (yuan)")])
    acc = Account.objects.filter(code=seller_account(request.user.pk)).first()
    if acc is None:
        return response
    moves = (
        Transfer.objects.filter(Q(debit_account=acc) | Q(credit_account=acc))
        .filter(created_at__gte=start, created_at__lt=end)
        .exclude(kind="pending")
        .order_by("seq")
    )
    words = _movements()
    for t in moves:
        incoming = t.credit_account_id == acc.pk
        if t.kind == "void_pending":
            continue  # a hold let go: the balance never moved
        out.writerow(
            [
                t.created_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"),
                words.get(t.code, t.code),
                t.ref,
                f"{t.amount / 100:.2f}" if incoming else "",
                "" if incoming else f"{t.amount / 100:.2f}",
            ]
        )
    return response
