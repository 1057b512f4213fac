"""Signing in, up and out; one's account: e-mail address, password change and reset, API
tokens, signing out everywhere. As thin as the API: each calls one accounts service."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from anxin.accounts import selectors, services
from anxin.accounts.throttle import TooManyAttempts, client_address
from anxin.core.errors import DomainError
from anxin.core.pages import user_message

# The reset link's token goes into the session and out of the address bar, so that it cannot
# leak through the browser's history or a Referer header.
RESET_SESSION_KEY = "_password_reset"


def _next(form: Any) -> str:
    nxt = form.get("next") or ""
    return nxt if nxt.startswith("/") and not nxt.startswith("//") else ""


def throttled(e: TooManyAttempts) -> str:
    return ngettext(
        "Too many attempts. Try again in %(minutes)s minute.",
        "Too many attempts. Try again in %(minutes)s minutes.",
        e.minutes,
    ) % {"minutes": e.minutes}


def form_error(e: DomainError) -> str:
    """A refusal in the reader's language: the services' details are English for the API."""
    if isinstance(e, TooManyAttempts):
        return throttled(e)
    if e.code == "username_taken":
        return _("This user name is taken. Choose another.")
    if e.code == "wrong_password":
        return _("This is not your current password.")
    if e.code == "reset_link_invalid":
        return _("This reset link is invalid, used or expired. Ask for a new one.")
    if e.field == "email":
        return _("This is not an e-mail address.")
    if e.field in ("password", "new_password"):
        # Django's password validators already speak the active language.
        return user_message(e)
    return user_message(e)


def login_view(request: HttpRequest) -> HttpResponse:
    error, status = None, 200
    if request.method == "POST":
        try:
            user = services.user_authenticate(
                request=request,
                username=request.POST.get("username", ""),
                password=request.POST.get("password", ""),
            )
        except TooManyAttempts as e:
            error, status = throttled(e), 429
        except DomainError:
            error, status = _("Username or password is wrong."), 400
        else:
            login(request, user)
            return redirect(_next(request.POST) or "web:home")
    return render(
        request,
        "web/login.html",
        {"error": error, "next": request.GET.get("next", "")},
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:home")


def signup(request: HttpRequest) -> HttpResponse:
    error, status = None, 200
    form = request.POST if request.method == "POST" else {"role": request.GET.get("role", "buyer")}
    if request.method == "POST":
        try:
            user = services.user_signup(
                username=form.get("username", ""),
                password=form.get("password", ""),
                role=form.get("role", ""),
                display_name=form.get("display_name", ""),
                email=form.get("email", ""),
                shop_name=form.get("shop_name", ""),
                contact_phone=form.get("contact_phone", ""),
                wechat_id=form.get("wechat_id", ""),
                address=client_address(request),
            )
        except DomainError as e:
            error, status = form_error(e), (429 if isinstance(e, TooManyAttempts) else 400)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(_next(form) or "web:home")
    return render(
        request,
        "web/signup.html",
        {"error": error, "form": form, "next": request.GET.get("next", "")},
        status=status,
    )


# --- one's account ---------------------------------------------------------------------------


@login_required
def account(request: Any) -> HttpResponse:
    error, status = None, 200
    if request.method == "POST":
        try:
            services.user_email_change(
                request=request,
                user=request.user,
                email=request.POST.get("email", ""),
                current_password=request.POST.get("current_password", ""),
            )
        except DomainError as e:
            error, status = form_error(e), (429 if isinstance(e, TooManyAttempts) else 400)
        else:
            messages.success(request, _("E-mail address saved."))
            return redirect("web:account")
    return _account_page(request, error=error, status=status)


def _account_page(request: Any, status: int = 200, **extra: Any) -> HttpResponse:
    ctx = {
        "error": None,
        "tokens": list(selectors.api_tokens_live(request.user)),
        "addresses": list(selectors.addresses_of(request.user)),
        "address_form": {},
        **extra,
    }
    return render(request, "web/account.html", ctx, status=status)


# --- the address book --------------------------------------------------------------------------


@login_required
@require_POST
def address_add(request: Any) -> HttpResponse:
    form = request.POST
    try:
        services.address_save(
            user=request.user,
            recipient_name=form.get("recipient_name", ""),
            recipient_phone=form.get("recipient_phone", ""),
            shipping_address=form.get("shipping_address", ""),
            make_default=form.get("is_default") == "on",
        )
    except DomainError as e:
        # The form keeps what was typed.
        return _account_page(
            request, status=e.status, address_error=user_message(e), address_form=form
        )
    messages.success(request, _("Address saved."))
    return redirect(reverse("web:account") + "#addresses")


def _address_change(request: Any, change: Any, address_id: int, done: str) -> HttpResponse:
    """Run one change to the user's address book; say what happened, back on the book."""
    try:
        change(user=request.user, address_id=address_id)
    except DomainError as e:
        messages.error(request, user_message(e))
    else:
        messages.success(request, done)
    return redirect(reverse("web:account") + "#addresses")


@login_required
@require_POST
def address_default(request: Any, address_id: int) -> HttpResponse:
    return _address_change(
        request, services.address_default_set, address_id, _("Default address set.")
    )


@login_required
@require_POST
def address_delete(request: Any, address_id: int) -> HttpResponse:
    return _address_change(request, services.address_delete, address_id, _("Address deleted."))


@login_required
def password_change(request: Any) -> HttpResponse:
    error, status = None, 200
    if request.method == "POST":
        try:
            services.password_change(
                request=request,
                user=request.user,
                current_password=request.POST.get("current_password", ""),
                new_password=request.POST.get("new_password", ""),
            )
        except DomainError as e:
            error, status = form_error(e), (429 if isinstance(e, TooManyAttempts) else 400)
        else:
            messages.success(
                request,
                _(
                    "Password changed. Every other device is signed out and every API token "
                    "revoked."
                ),
            )
            return redirect("web:account")
    return render(request, "web/password_change.html", {"error": error}, status=status)


@login_required
@require_POST
def token_revoke(request: Any, token_id: int) -> HttpResponse:
    try:
        services.api_token_revoke_id(user=request.user, token_id=token_id)
    except DomainError:
        messages.error(request, _("That token is already revoked or expired."))
    else:
        messages.success(request, _("Token revoked."))
    return redirect("web:account")


@login_required
@require_POST
def tokens_revoke_all(request: Any) -> HttpResponse:
    services.api_tokens_revoke_all(user=request.user)
    messages.success(request, _("Every API token is revoked."))
    return redirect("web:account")


@login_required
@require_POST
def sign_out_everywhere(request: Any) -> HttpResponse:
    services.user_sign_out_everywhere(user=request.user)
    logout(request)
    messages.success(request, _("Signed out on every device, and every API token revoked."))
    return redirect("web:login")


# --- password reset --------------------------------------------------------------------------


def password_reset(request: HttpRequest) -> HttpResponse:
    """The answer after a request is the same whether or not the account exists."""
    error, status, sent = None, 200, False
    if request.method == "POST":
        try:
            services.password_reset_request(
                login=request.POST.get("username", ""), address=client_address(request)
            )
        except DomainError as e:
            error, status = form_error(e), (429 if isinstance(e, TooManyAttempts) else 400)
        else:
            sent = True
    return render(
        request,
        "web/password_reset.html",
        {"error": error, "sent": sent, "minutes": settings.ANXIN_PASSWORD_RESET_MINUTES},
        status=status,
    )


def password_reset_link(request: HttpRequest, uid: str, token: str) -> HttpResponse:
    request.session[RESET_SESSION_KEY] = {"uid": uid, "token": token}
    return redirect("web:password_reset_set", uid=uid)


def password_reset_set(request: HttpRequest, uid: str) -> HttpResponse:
    held = request.session.get(RESET_SESSION_KEY) or {}
    token = held.get("token", "") if held.get("uid") == uid else ""
    if services.password_reset_user(uid=uid, token=token) is None:
        return render(
            request,
            "web/password_reset_set.html",
            {
                "error": _("This reset link is invalid, used or expired. Ask for a new one."),
                "invalid": True,
            },
            status=400,
        )
    error = None
    if request.method == "POST":
        try:
            services.password_reset_confirm(
                uid=uid, token=token, new_password=request.POST.get("new_password", "")
            )
        except DomainError as e:
            error = form_error(e)
        else:
            request.session.pop(RESET_SESSION_KEY, None)
            messages.success(request, _("Your new password is set. Log in with it."))
            return redirect("web:login")
    return render(
        request,
        "web/password_reset_set.html",
        {"error": error, "invalid": False},
        status=400 if error else 200,
    )
