from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")
    MEDIATOR = "mediator", _("Mediator")
    ADJUDICATOR = "adjudicator", _("Adjudicator")
    REGULATOR = "regulator", _("Regulator")
    OPERATOR = "operator", _("Platform operator")


# Only these can sign themselves up; staff roles are granted by an operator.
SELF_SERVICE_ROLES = frozenset({Role.BUYER, Role.SELLER})


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.BUYER)
    display_name = models.CharField(max_length=80, blank=True)
    preferred_language = models.CharField(max_length=8, default="zh-hans")
    # Raised by "sign out everywhere" (and every password change or reset): each signed-in
    # session carries a hash of it, so raising it ends every session on every device at once.
    session_epoch = models.PositiveIntegerField(default=0)
    # A mainland mobile number (11 digits) proven by a one-time SMS code: the account signs in
    # with it (accounts.phone). None for accounts that never did.
    phone = models.CharField(max_length=11, null=True, blank=True, unique=True, default=None)

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_session_auth_hash(self) -> str:
        return self._session_hash(None)

    def get_session_auth_fallback_hash(self):  # type: ignore[override]
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret)

    def _session_hash(self, secret: str | bytes | None) -> str:
        # At epoch 0 this is Django's own hash, so sessions made before the epoch existed
        # stay valid; a password change ends sessions as before, since the password is in it.
        material = (
            self.password if not self.session_epoch else f"{self.password}:{self.session_epoch}"
        )
        return salted_hmac(
            "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
            material,
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def is_buyer(self) -> bool:
        return self.role == Role.BUYER

    @property
    def is_seller(self) -> bool:
        return self.role == Role.SELLER

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR


class SellerProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seller_profile"
    )
    shop_name = models.CharField(max_length=80)
    contact_phone = models.CharField(max_length=32, blank=True)
    wechat_id = models.CharField(max_length=64, blank=True)
    # Where buyers send goods back once a return, repair or replacement is approved.
    return_address = models.CharField(max_length=300, blank=True, default="", db_default="")
    # The county (administrative division code) of the business address the shop shows on its
    # page: complaints about it go to that county's regulator (anxin.supervision.routing).
    address_region = models.CharField(max_length=6, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.shop_name


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=64)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # ANXIN_API_TOKEN_DAYS after creation; expired and revoked rows are deleted by
    # `anxin deadlines` (services.accounts_purge).
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"], name="apitoken_user_created")]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class RateWindow(models.Model):
    """How many times something was asked for, per (scope, key) in one hour: sign-ups and
    password-reset requests per address, reset mails per account. Counted in the database
    so that every process and worker sees the same count."""

    scope = models.CharField(max_length=16)
    key = models.CharField(max_length=64)
    start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key", "start"], name="ratewindow_once")
        ]
        indexes = [models.Index(fields=["start"], name="ratewindow_start")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} {self.start:%Y-%m-%d %H}h: {self.count}"


class SavedAddress(models.Model):
    """One entry of a buyer's address book: a recipient, a phone a courier can call, and the
    address, as the checkout asks for them. One of them may be the default, which the
    checkout fills in. Only its owner sees or changes it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_addresses"
    )
    recipient_name = models.CharField(max_length=60)
    recipient_phone = models.CharField(max_length=32)
    shipping_address = models.CharField(max_length=300)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"], name="savedaddress_user")]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default=True),
                name="savedaddress_one_default",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_name} {self.shipping_address[:20]}"


class PhoneCode(models.Model):
    """A one-time sign-in code sent by SMS. Only its HMAC is kept (the key is a file in
    ANXIN_KEYS_DIR): a copy of the database holds no code. It works once, until `expires_at`,
    and `tries` wrong guesses burn it. The rows are also the count the sending limits read
    (per number and per address), so they are kept a day (accounts_purge)."""

    number = models.CharField(max_length=11)
    digest = models.CharField(max_length=64)
    address = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    # When it was used, burnt by wrong tries, replaced by a newer code or not sent.
    spent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["number", "created_at"], name="phonecode_number"),
            models.Index(fields=["address", "created_at"], name="phonecode_address"),
            models.Index(fields=["created_at"], name="phonecode_created"),
        ]

    def __str__(self) -> str:
        return f"{self.number[:3]}****{self.number[-4:]} {self.created_at:%Y-%m-%d %H:%M}"
