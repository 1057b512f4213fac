"""The operator's reconciliation desk: the alerts reconciliation raised, each with the bill's
side and Anxin's, resolved with a note saying how it was settled; and the recent runs."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from anxin.accounts.models import Role
from anxin.accounts.pages import UserRequest, role_required
from anxin.core.errors import DomainError
from anxin.core.pages import user_message
from anxin.core.text import parse_int
from anxin.reconcile import services
from anxin.reconcile.models import AlertStatus


@require_http_methods(["GET", "POST"])
@role_required(Role.OPERATOR)
def reconcile_desk(request: UserRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            services.alert_resolve(
                actor=request.user,
                alert_id=parse_int(request.POST.get("alert"), "alert"),
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("The alert is resolved; your note stays with it."))
        except DomainError as e:
            messages.error(request, user_message(e))
        return redirect("web:reconcile_desk")
    return render(
        request,
        "reconcile/desk.html",
        {
            "alerts": services.alerts_list(),
            "resolved": services.alerts_list(status=AlertStatus.RESOLVED, limit=20),
            "runs": services.runs_recent(),
        },
    )
