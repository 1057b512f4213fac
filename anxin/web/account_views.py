"""Signing in, up and out; one's account: e-mail address, password change and reset, API
tokens, signing out everywhere. As thin as the API: each calls one accounts service."""

from __future__ import annotations

import math
import time
from typing import Any

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from anxin.accounts import phone, selectors, services, twofactor
from anxin.accounts.models import User
from anxin.accounts.throttle import TooManyAttempts, client_address
from anxin.core.errors import DomainError
from anxin.core.pages import user_message
from anxin.sms.providers import sandbox_active

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


def codes_refused(seconds: int) -> str:
    """Too many codes asked for: the wait in seconds, minutes or hours, as a person says it."""
    if seconds < 120:
        return ngettext(
            "Too many codes asked for. Ask again in %(n)s second.",
            "Too many codes asked for. Ask again in %(n)s seconds.",
            seconds,
        ) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return ngettext(
            "Too many codes asked for. Ask again in %(n)s minute.",
            "Too many codes asked for. Ask again in %(n)s minutes.",
            minutes,
        ) % {"n": minutes}
    hours = math.ceil(minutes / 60)
    return ngettext(
        "Too many codes asked for. Ask again in %(n)s hour.",
        "Too many codes asked for. Ask again in %(n)s hours.",
        hours,
    ) % {"n": hours}


def form_error(e: DomainError) -> str:
    """A refusal in the reader's language: the services' details are English for the API."""
    if isinstance(e, TooManyAttempts) and e.code == "too_many_codes":
        return codes_refused(e.retry_after)
    if isinstance(e, TooManyAttempts):
        return throttled(e)
    if e.code == "phone_invalid":
        return _("Enter a mainland China mobile number: 11 digits starting with 1.")
    if e.code == "code_wrong":
        return _("This code is wrong or has expired. Check it, or ask for a new code.")
    if e.code == "phone_staff":
        return _("Staff accounts sign in with their user name and password.")
    if e.code == "sms_unavailable":
        return _("The text message could not be sent. Try again in a few minutes.")
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
            if twofactor.required(user):
                # Not signed in yet: the second factor (or enrolling one) comes first.
                _pending_set(request, user, _next(request.POST))
                return redirect("web:login_2fa")
            login(request, user)
            return redirect(_next(request.POST) or "web:home")
    return render(
        request,
        "web/login.html",
        {"error": error, "next": request.GET.get("next", ""), "sms_sandbox": sandbox_active()},
        status=status,
    )


# --- signing in and up by phone --------------------------------------------------------------


@never_cache
def phone_login(request: HttpRequest) -> HttpResponse:
    """Sign in, or sign up as a buyer, with a mobile number and the code texted to it. Step
    one asks for the number and sends the code; step two takes the code. The page says the
    same after step one whether or not the number has an account."""
    form = request.POST if request.method == "POST" else {}
    error, status, sent = None, 200, None
    number = ""
    if request.method == "POST":
        action = form.get("action", "")
        if action == "send":
            try:
                sent = phone.code_send(phone=form.get("phone", ""), address=client_address(request))
            except DomainError as e:
                error, status = form_error(e), e.status
            else:
                number = sent.number
        elif action == "verify":
            try:
                user, created = phone.phone_sign_in(
                    phone=form.get("phone", ""), code=form.get("code", "")
                )
            except DomainError as e:
                error, status = form_error(e), e.status
                number = form.get("phone", "")
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                if created:
                    messages.success(
                        request, _("Welcome to Anxin! Your buyer account is made with this number.")
                    )
                return redirect(_next(form) or "web:home")
    step = "code" if number else "phone"
    return render(
        request,
        "web/phone_login.html",
        {
            "error": error,
            "step": step,
            "number": number,
            # As people read a mobile number: 139 1234 5678.
            "number_shown": f"{number[:3]} {number[3:7]} {number[7:]}" if number else "",
            "phone": form.get("phone", ""),
            "minutes": settings.ANXIN_SMS_CODE_MINUTES,
            "next": _next(form) or _next(request.GET),
            "sms_sandbox": sandbox_active(),
        },
        status=status,
    )


@login_required
def phone_add(request: Any) -> HttpResponse:
    """Add (or change) the account's mobile number with a code texted to it: what a complaint
    to a regulator asks of a complainant. Step one sends the code, step two takes it."""
    form = request.POST if request.method == "POST" else {}
    error, status, number = None, 200, ""
    if request.method == "POST":
        try:
            if form.get("action") == "verify":
                phone.phone_attach(
                    user=request.user, phone=form.get("phone", ""), code=form.get("code", "")
                )
                messages.success(request, _("Your mobile number is verified and saved."))
                return redirect(_next(form) or "web:account")
            number = phone.code_send(
                phone=form.get("phone", ""), address=client_address(request)
            ).number
        except DomainError as e:
            error, status = form_error(e), e.status
            number = form.get("phone", "") if form.get("action") == "verify" else ""
    return render(
        request,
        "web/phone_add.html",
        {
            "error": error,
            "step": "code" if number else "phone",
            "number": number,
            "number_shown": f"{number[:3]} {number[3:7]} {number[7:]}" if number else "",
            "current": request.user.phone or "",
            "phone": form.get("phone", ""),
            "minutes": settings.ANXIN_SMS_CODE_MINUTES,
            "next": _next(form) or _next(request.GET),
            "sms_sandbox": sandbox_active(),
        },
        status=status,
    )


# --- the second factor of operators and regulators ------------------------------------------

# Between the password and the second factor the account is pending: named in the session,
# not signed in. The entry holds the session hash of the account (a password changed meanwhile
# voids it) and the time (ANXIN_2FA_PENDING_MINUTES).
PENDING_KEY = "_2fa_pending"


def _pending_set(request: HttpRequest, user: User, nxt: str) -> None:
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "hash": user.get_session_auth_hash(),
        "at": int(time.time()),
        "next": nxt,
    }


def _pending_user(request: HttpRequest) -> User | None:
    held = request.session.get(PENDING_KEY) or {}
    if not held or time.time() - held.get("at", 0) > 60 * settings.ANXIN_2FA_PENDING_MINUTES:
        return None
    user = User.objects.filter(pk=int(held.get("user") or 0), is_active=True).first()
    if user is None or not constant_time_compare(user.get_session_auth_hash(), held["hash"]):
        return None
    return user


def _finish_2fa(request: HttpRequest, user: User, device: Any) -> str:
    """Signs the pending account in, verified by `device`; returns where to go next."""
    held = request.session.pop(PENDING_KEY, {})
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    django_otp.login(request, device)
    return _next(held) or reverse("web:home")


@never_cache
def login_2fa(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        messages.error(request, _("Sign in with your password first."))
        return redirect("web:login")
    if not twofactor.enrolled(user):
        return redirect("web:login_enrol")
    error, status = None, 200
    if request.method == "POST":
        device = twofactor.verify(user, request.POST.get("code", ""))
        if device is not None:
            return redirect(_finish_2fa(request, user, device))
        error, status = (
            _("This code is wrong or already used. Enter the current code from your app."),
            400,
        )
    return render(request, "web/login_2fa.html", {"error": error}, status=status)


@never_cache
def login_enrol(request: HttpRequest) -> HttpResponse:
    """A staff member with no authenticator app yet sets one up before reaching any page."""
    user = _pending_user(request)
    if user is None:
        messages.error(request, _("Sign in with your password first."))
        return redirect("web:login")
    if twofactor.enrolled(user):
        return redirect("web:login_2fa")
    error, status = None, 200
    device = twofactor.enrol_start(user)
    if request.method == "POST":
        done = twofactor.enrol_confirm(user, request.POST.get("code", ""))
        if done is not None:
            confirmed, codes = done
            nxt = _finish_2fa(request, user, confirmed)
            return render(request, "web/backup_codes.html", {"codes": codes, "next": nxt})
        error, status = (
            _("This code is wrong. Enter the 6-digit code your app shows now."),
            400,
        )
    return render(
        request,
        "web/login_enrol.html",
        {
            "error": error,
            "qr": twofactor.qr_data_uri(device),
            "otpauth": device.config_url,
            "secret": twofactor.secret_text(device),
        },
        status=status,
    )


@login_required
@require_POST
@never_cache
def backup_codes_renew(request: Any) -> HttpResponse:
    if not twofactor.required(request.user):
        return redirect("web:account")
    codes = twofactor.backup_codes_renew(request.user)
    return render(
        request, "web/backup_codes.html", {"codes": codes, "next": reverse("web:account")}
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
        "two_factor": twofactor.required(request.user),
        "backup_codes_left": twofactor.backup_codes_left(request.user),
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
