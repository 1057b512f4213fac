"""All of Anxin's settings, read from the environment with strict parsing.

SQLite in a local data folder is the default; DATABASE_URL switches to PostgreSQL.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: not an integer: {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        raise ImproperlyConfigured(f"{name}: {value} is outside {minimum}..{maximum}")
    return value


def env_float(name: str, default: float, *, minimum: float = 0.0, maximum: float = 1.0) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: not a number: {raw!r}") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name}: {value} is outside {minimum}..{maximum}")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}: not a boolean: {raw!r}")


def env_json(name: str, default: dict[str, int]) -> dict[str, int]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = json.loads(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: not JSON: {raw!r}") from None
    if (
        not isinstance(value, dict)
        or "default" not in value
        or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value.values()
        )
    ):
        raise ImproperlyConfigured(
            f'{name}: must be an object of non-negative whole fen with a "default"'
        )
    return value


DATA_DIR = Path(env_str("ANXIN_DATA_DIR", str(BASE_DIR / "data"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if key := os.environ.get("ANXIN_SECRET_KEY"):
        return key
    # A key made on first run and kept in the data folder, so sessions survive restarts without
    # a secret ever being committed.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("ANXIN_DEBUG", False)
ALLOWED_HOSTS = [h for h in env_str("ANXIN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env_str("ANXIN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "csp",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "anxin.core",
    "anxin.accounts",
    "anxin.sms",
    # Two-factor sign-in for operators and regulators (accounts.twofactor): TOTP and backup codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "anxin.ledger",
    "anxin.evidence",
    "anxin.catalog",
    "anxin.notices",
    "anxin.payments",
    "anxin.reconcile",
    "anxin.orders",
    "anxin.remedies",
    "anxin.aftersales",
    "anxin.carriers",
    "anxin.disputes",
    "anxin.sellers",
    "anxin.reputation",
    "anxin.payouts",
    "anxin.supervision",
    "anxin.web",
    "anxin.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # request.htmx: a request htmx sent (it swaps in a fragment) or a full page load.
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(); a staff session without its second factor is no session.
    "django_otp.middleware.OTPMiddleware",
    "anxin.accounts.twofactor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Refuses unstorable characters and unreadable bodies; API errors as problem+json.
    "anxin.api.middleware.InputGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: it lets the sign-in pages' own 429 answers through (throttle.lockout_response).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "anxin.urls"
WSGI_APPLICATION = "anxin.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "anxin.web.context.notices",
                "anxin.web.context.staff_menu",
            ],
        },
    }
]

if os.environ.get("DATABASE_URL"):
    # Each web worker keeps its connection between requests (checked before reuse): opening a
    # PostgreSQL connection costs more than most requests do (13 ms against 0.3 ms for a
    # query on an open one, measured on the project's two-core machine), and a statement is
    # prepared once per connection (below). 0 closes it after every request (behind a pooler
    # in transaction mode, with the other two settings below).
    _conn_age = env_int("ANXIN_PG_CONN_MAX_AGE", 60, minimum=0, maximum=3600)
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=_conn_age, conn_health_checks=True
        )
    }
    # Parameters sent apart from the statement, and statements a connection runs often
    # prepared once on the server (psycopg's prepare_threshold): the order path runs the same
    # few dozen statements for every order, and planning them anew was a large share of the
    # server's work. Both off (ANXIN_PG_SERVER_SIDE_BINDING=0, ANXIN_PG_PREPARE_THRESHOLD=0)
    # behind a pooler in transaction mode that cannot keep prepared statements.
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": env_bool("ANXIN_PG_SERVER_SIDE_BINDING", True),
        # psycopg prepares a statement once a connection has run it this many times (Django
        # passes None, never, unless told); 0 turns preparing off.
        "prepare_threshold": env_int("ANXIN_PG_PREPARE_THRESHOLD", 5, minimum=0) or None,
    }
    # A streaming replica for the public pages that only read (anxin.core.replica,
    # docs/SCALING.md); the same options as the primary.
    if os.environ.get("ANXIN_REPLICA_DATABASE_URL"):
        DATABASES["replica"] = dj_database_url.parse(
            os.environ["ANXIN_REPLICA_DATABASE_URL"],
            conn_max_age=_conn_age,
            conn_health_checks=True,
        )
        DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"]["OPTIONS"])
        # Tests without a replica of their own read the test database through it.
        DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
        DATABASE_ROUTERS = ["anxin.core.replica.ReplicaRouter"]
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("ANXIN_SQLITE_PATH", str(DATA_DIR / "anxin.sqlite3")),
            # IMMEDIATE: a write transaction takes the write lock at BEGIN, so two writers never
            # deadlock upgrading read locks; WAL lets readers proceed meanwhile.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000;"
                ),
            },
            # A file, not memory, so tests can hand the database to other processes.
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
        }
    }
    if os.environ.get("ANXIN_REPLICA_DATABASE_URL"):
        raise ImproperlyConfigured(
            "ANXIN_REPLICA_DATABASE_URL: a replica needs PostgreSQL (set DATABASE_URL too)"
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "anxin.core.tasks_backend.CompiledDatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "display_name", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Ten spaces or "aaaaaaaaaa" pass the length rule and are in no list of common passwords.
    {"NAME": "anxin.accounts.passwords.VarietyValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "anxin" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Where collectstatic puts the files and WhiteNoise serves them from: the image builds them
# into a folder of its own (Dockerfile), apart from the data volume.
STATIC_ROOT = Path(env_str("ANXIN_STATIC_ROOT", str(DATA_DIR / "static"))).resolve()
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Static files are served by WhiteNoise under hashed names (anxin.1f2e3d4c5b6a.css) with
# gzip and Brotli variants made once by `anxin collectstatic`, so a hashed file is cached for
# ten years ("immutable") and a changed file gets a new name. The manifest storage needs that
# collectstatic: `make run` runs it, and so must a production deployment (README); without the
# manifest every page would fail. So `ANXIN_STATIC_MANIFEST=0` keeps the plain names and serves
# the files straight from the apps' folders (the finders): the tests use it (conftest), as
# they never run collectstatic. With ANXIN_DEBUG the manifest storage gives plain names too
# (Django's own rule), so development needs no collectstatic either.
ANXIN_STATIC_MANIFEST = env_bool("ANXIN_STATIC_MANIFEST", True)
WHITENOISE_USE_FINDERS = True
# collectstatic compresses every file with gzip and Brotli (at its best, slowest level): not
# the source maps (5 MB of the API docs' assets, fetched only by a developer's tools), nor the
# unhashed copies the pages never link to (the finders still serve those names).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if ANXIN_STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

SESSION_COOKIE_HTTPONLY = True
# Behind TLS (README, "Behind TLS"): HTTPS only, said to browsers for a year (HSTS, this host
# and its subdomains, preloadable), cookies never sent in clear, plain HTTP redirected. The
# TLS-terminating proxy must set X-Forwarded-Proto (and strip it from what clients send).
ANXIN_HTTPS = env_bool("ANXIN_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = ANXIN_HTTPS
SECURE_SSL_REDIRECT = ANXIN_HTTPS
SECURE_HSTS_SECONDS = env_int("ANXIN_HSTS_SECONDS", 31_536_000, minimum=1) if ANXIN_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = ANXIN_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if ANXIN_HTTPS else None
# Content-Security-Policy (django-csp): everything from Anxin itself, no inline script, no
# eval (htmx runs with allowEval and allowScriptTags off, base.html), no framing. Uploaded
# files get a stricter policy of their own (core.media).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Production server (README, "Production"): logs, request ids, health, metrics ----------
# Kept together (and the lists above extended here, not edited) so this block merges alone.
# Logs: one JSON object a line on standard error (anxin.core.logs), or `text`; each line of a
# request names its id, which the response's X-Request-ID header gives back.
ANXIN_LOG_FORMAT = env_str("ANXIN_LOG_FORMAT", "json")
if ANXIN_LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("ANXIN_LOG_FORMAT: json or text")
ANXIN_LOG_LEVEL = env_str("ANXIN_LOG_LEVEL", "WARNING").upper()
if ANXIN_LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured("ANXIN_LOG_LEVEL: DEBUG, INFO, WARNING, ERROR or CRITICAL")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "anxin.core.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "anxin.core.logs.JsonFormatter"},
        "text": {"()": "anxin.core.logs.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": ANXIN_LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": ANXIN_LOG_LEVEL},
}
# Take the proxy's X-Request-ID as the request's id (only when a proxy in front sets it and
# drops what clients send); otherwise Anxin makes one for each request.
ANXIN_TRUST_REQUEST_ID = env_bool("ANXIN_TRUST_REQUEST_ID", False)
# The health endpoint (/health/, anxin.ops.health): unhealthy (503) when a queued task has
# been due longer than this without a worker taking it, or when evidence records have waited
# for the sequencer longer than this.
ANXIN_HEALTH_TASK_DELAY_SECONDS = env_int("ANXIN_HEALTH_TASK_DELAY_SECONDS", 300, minimum=1)
ANXIN_HEALTH_SEQUENCER_LAG_SECONDS = env_int("ANXIN_HEALTH_SEQUENCER_LAG_SECONDS", 60, minimum=1)
# Prometheus metrics (/metrics, anxin.ops.metrics): served only to a request bearing this
# token (Authorization: Bearer …) or coming straight from one of these addresses or networks
# (the connection's own address, never a forwarded one). Neither set: /metrics is a 404.
ANXIN_METRICS_TOKEN = env_str("ANXIN_METRICS_TOKEN", "")
ANXIN_METRICS_ALLOWED_IPS = [
    a.strip() for a in env_str("ANXIN_METRICS_ALLOWED_IPS", "").split(",") if a.strip()
]
# Count and time every database query (django-prometheus' database wrappers). Off by default:
# it wraps every cursor on the hot paths; on in the compose file.
ANXIN_METRICS_DB = env_bool("ANXIN_METRICS_DB", False)
INSTALLED_APPS += ["health_check", "django_prometheus"]
# Metrics around everything (the "before" first, the "after" just inside django-axes, which
# stays last); the request id before anything that may log.
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "anxin.core.logs.RequestIdMiddleware",
    *MIDDLEWARE,
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("axes.middleware.AxesMiddleware"),
    "django_prometheus.middleware.PrometheusAfterMiddleware",
)
if ANXIN_METRICS_DB:
    for _alias in DATABASES.values():
        _alias["ENGINE"] = {
            "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
            "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
        }[_alias["ENGINE"]]
PROMETHEUS_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
PROMETHEUS_METRIC_NAMESPACE = ""
# Behind TLS the health probe and the metrics scraper may speak plain HTTP to the server
# itself (the compose healthcheck, a scraper beside it): they are not redirected.
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^metrics$"]
# Headers every response carries (Django's defaults, said here so they are seen and tested):
# no MIME sniffing, the referrer only to Anxin itself, no framing, a window of its own.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- Anxin's own settings -------------------------------------------------------------------
ANXIN_SITE_URL = env_str("ANXIN_SITE_URL", "http://127.0.0.1:8000")
# The font a listing's share poster is drawn in: it must have Chinese glyphs. Empty: the first
# of the CJK fonts scripts/ensure-system-deps.sh installs (WenQuanYi, Noto CJK) found.
ANXIN_POSTER_FONT = env_str("ANXIN_POSTER_FONT", "")
ANXIN_CURRENCY = "CNY"
# Days after shipment before an order the buyer has not confirmed confirms itself.
ANXIN_AUTO_CONFIRM_DAYS = env_int("ANXIN_AUTO_CONFIRM_DAYS", 10, minimum=1, maximum=90)
# After-sales: how long the seller has to answer a request (silence is agreement) while the
# goods are in transit (shipped, not yet signed for) and once delivered; before shipment
# the buyer cancels without asking); how long the buyer has to send goods back once approved.
ANXIN_AFTERSALE_ANSWER_HOURS_IN_TRANSIT = env_int(
    "ANXIN_AFTERSALE_ANSWER_HOURS_IN_TRANSIT", 48, minimum=1, maximum=24 * 15
)
ANXIN_AFTERSALE_ANSWER_DAYS_DELIVERED = env_int(
    "ANXIN_AFTERSALE_ANSWER_DAYS_DELIVERED", 5, minimum=1, maximum=15
)
ANXIN_AFTERSALE_RETURN_DAYS = env_int("ANXIN_AFTERSALE_RETURN_DAYS", 7, minimum=1, maximum=30)
# The most a buyer can claim for return shipping the seller pays (quality returns), in fen.
ANXIN_AFTERSALE_MAX_RETURN_SHIPPING_FEN = env_int(
    "ANXIN_AFTERSALE_MAX_RETURN_SHIPPING_FEN", 10000, minimum=0, maximum=100000
)
# Disputes: days each party or officer has for its step before the step's default applies
# (disputes.services.deadline); how many hours before a deadline its reminder goes out.
ANXIN_DISPUTE_ANSWER_DAYS = env_int("ANXIN_DISPUTE_ANSWER_DAYS", 3, minimum=1, maximum=30)
ANXIN_DISPUTE_REPLY_DAYS = env_int("ANXIN_DISPUTE_REPLY_DAYS", 3, minimum=1, maximum=30)
ANXIN_DISPUTE_MEDIATION_DAYS = env_int("ANXIN_DISPUTE_MEDIATION_DAYS", 7, minimum=1, maximum=60)
ANXIN_DISPUTE_ACCEPT_DAYS = env_int("ANXIN_DISPUTE_ACCEPT_DAYS", 3, minimum=1, maximum=30)
ANXIN_DISPUTE_EVIDENCE_DAYS = env_int("ANXIN_DISPUTE_EVIDENCE_DAYS", 5, minimum=1, maximum=30)
ANXIN_DISPUTE_DECISION_DAYS = env_int("ANXIN_DISPUTE_DECISION_DAYS", 7, minimum=1, maximum=60)
ANXIN_DISPUTE_APPEAL_DAYS = env_int("ANXIN_DISPUTE_APPEAL_DAYS", 7, minimum=1, maximum=30)
ANXIN_DISPUTE_PANEL_DAYS = env_int("ANXIN_DISPUTE_PANEL_DAYS", 7, minimum=1, maximum=60)
ANXIN_DISPUTE_REMIND_HOURS = env_int("ANXIN_DISPUTE_REMIND_HOURS", 24, minimum=1, maximum=240)
# Who hears appeals: a panel of three adjudicators, or a jury of users drawn at random.
ANXIN_DISPUTE_APPEAL_BODY = env_str("ANXIN_DISPUTE_APPEAL_BODY", "panel")
if ANXIN_DISPUTE_APPEAL_BODY not in ("panel", "jury"):
    raise ImproperlyConfigured("ANXIN_DISPUTE_APPEAL_BODY: must be panel or jury")
ANXIN_DISPUTE_JURY_SIZE = env_int("ANXIN_DISPUTE_JURY_SIZE", 5, minimum=3, maximum=15)
if ANXIN_DISPUTE_JURY_SIZE % 2 == 0:
    raise ImproperlyConfigured("ANXIN_DISPUTE_JURY_SIZE: must be odd")
# Guarantee fund: the most it advances on one case, in fen; the deposit each seller lodges,
# per listing category ("default" for the rest), as JSON.
# Complaints one account may file: a day in all, and about sales outside Anxin against one
# seller in 30 days (such a claim names a seller with nothing on Anxin to show the sale).
# The county (administrative division code) of the platform's own domicile: complaints about a
# seller that shows no address go to its market regulator (anxin.supervision.routing).
ANXIN_PLATFORM_REGION = env_str("ANXIN_PLATFORM_REGION", "")
# How many working days a regulator has to answer a consumer association's referral. The law
# says "in time" (CRPL-IR Art. 36) and gives no number: this is the deployment's own rule.
ANXIN_REFERRAL_ANSWER_WORKING_DAYS = env_int(
    "ANXIN_REFERRAL_ANSWER_WORKING_DAYS", 15, minimum=1, maximum=90
)
ANXIN_DISPUTE_MAX_PER_DAY = env_int("ANXIN_DISPUTE_MAX_PER_DAY", 5, minimum=1, maximum=1000)
ANXIN_DISPUTE_MAX_OUTSIDE_PER_SELLER = env_int(
    "ANXIN_DISPUTE_MAX_OUTSIDE_PER_SELLER", 2, minimum=1, maximum=100
)
ANXIN_GUARANTEE_CASE_CAP_FEN = env_int("ANXIN_GUARANTEE_CASE_CAP_FEN", 500_000, minimum=0)
ANXIN_GUARANTEE_DEPOSITS_FEN = env_json(
    "ANXIN_GUARANTEE_DEPOSITS_FEN",
    {
        "default": 100_000,
        "food": 300_000,
        "fresh_perishable": 300_000,
        "cosmetics": 200_000,
        "medical_device": 500_000,
    },
)
ANXIN_EMAIL_FROM = env_str("ANXIN_EMAIL_FROM", "anxin@localhost")
EMAIL_BACKEND = env_str("ANXIN_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = str(DATA_DIR / "mail")
EMAIL_HOST = env_str("ANXIN_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("ANXIN_EMAIL_PORT", 25, minimum=1, maximum=65535)
# Sellers re-verify at least every 6 months (ECL 27, OTSM 24), reminded this many days before.
ANXIN_SELLER_REVERIFY_MONTHS = env_int("ANXIN_SELLER_REVERIFY_MONTHS", 6, minimum=1, maximum=6)
ANXIN_SELLER_REMIND_DAYS = env_int("ANXIN_SELLER_REMIND_DAYS", 14, minimum=1, maximum=60)
# Only verified sellers list goods and take orders (ECL 27). Off only for a closed trial.
ANXIN_SELLER_VERIFICATION_REQUIRED = env_bool("ANXIN_SELLER_VERIFICATION_REQUIRED", True)
# Reviews: the buyer of a settled order reviews it within this many days of settlement, and
# may add one follow-up within the second figure.
ANXIN_REVIEW_DAYS = env_int("ANXIN_REVIEW_DAYS", 15, minimum=1, maximum=365)
ANXIN_REVIEW_FOLLOWUP_DAYS = env_int("ANXIN_REVIEW_FOLLOWUP_DAYS", 180, minimum=1, maximum=730)
# Blacklist: days a seller has to appeal a notice, and the longest term of a listing.
ANXIN_BLACKLIST_APPEAL_DAYS = env_int("ANXIN_BLACKLIST_APPEAL_DAYS", 7, minimum=1, maximum=60)
ANXIN_BLACKLIST_MAX_DAYS = env_int("ANXIN_BLACKLIST_MAX_DAYS", 1095, minimum=1, maximum=3650)
# The platform fee in basis points of the order amount (60 = 0.6%). Rounded down to the fen.
ANXIN_PLATFORM_FEE_BPS = env_int("ANXIN_PLATFORM_FEE_BPS", 60, minimum=0, maximum=10_000)
# Minutes a buyer has to pay before an unpaid order closes and its stock is released.
ANXIN_PAYMENT_TIMEOUT_MINUTES = env_int("ANXIN_PAYMENT_TIMEOUT_MINUTES", 30, minimum=1)
ANXIN_PAYMENT_PROVIDER = env_str("ANXIN_PAYMENT_PROVIDER", "sandbox")
# The carrier new parcels are tracked with (carriers.registry).
ANXIN_CARRIER = env_str("ANXIN_CARRIER", "sandbox")
# Refused payment notifications (forged, stale, malformed) are kept for the audit trail: the
# latest this many per provider, for this many days.
ANXIN_PAYMENT_REJECTED_KEEP = env_int("ANXIN_PAYMENT_REJECTED_KEEP", 1000, minimum=1)
ANXIN_PAYMENT_REJECTED_DAYS = env_int("ANXIN_PAYMENT_REJECTED_DAYS", 30, minimum=1)
# Stock an account may hold in unpaid orders: orders in all, and units of one listing.
ANXIN_UNPAID_ORDERS_PER_BUYER = env_int("ANXIN_UNPAID_ORDERS_PER_BUYER", 5, minimum=1)
ANXIN_UNPAID_UNITS_PER_LISTING = env_int("ANXIN_UNPAID_UNITS_PER_LISTING", 20, minimum=1)
ANXIN_MAX_ORDER_QUANTITY = env_int("ANXIN_MAX_ORDER_QUANTITY", 99, minimum=1)
ANXIN_MAX_IMAGE_BYTES = env_int("ANXIN_MAX_IMAGE_BYTES", 5 * 1024 * 1024, minimum=1024)
# The most pixels an uploaded image may declare, checked before any pixel is decoded (a PNG of
# a hundred bytes can declare 20000 x 20000). At most Pillow's own limit, so ours decides.
ANXIN_MAX_IMAGE_PIXELS = env_int(
    "ANXIN_MAX_IMAGE_PIXELS", 40_000_000, minimum=1, maximum=89_478_485
)
# The sandbox payment provider behaves like a real one; these say how unreliably.
ANXIN_SANDBOX_DUPLICATE_RATE = env_float("ANXIN_SANDBOX_DUPLICATE_RATE", 0.3)
ANXIN_SANDBOX_MAX_DELAY_SECONDS = env_int("ANXIN_SANDBOX_MAX_DELAY_SECONDS", 3, minimum=0)
ANXIN_SANDBOX_SIGNATURE_TOLERANCE_SECONDS = env_int(
    "ANXIN_SANDBOX_SIGNATURE_TOLERANCE_SECONDS", 300, minimum=1
)
# The format of the sandbox's daily bills: WeChat Pay's trade-bill CSV or Alipay's zipped CSV.
ANXIN_SANDBOX_BILL_FORMAT = env_str("ANXIN_SANDBOX_BILL_FORMAT", "wechat")
if ANXIN_SANDBOX_BILL_FORMAT not in ("wechat", "alipay"):
    raise ImproperlyConfigured("ANXIN_SANDBOX_BILL_FORMAT: wechat or alipay")
# The hour (Beijing time) from which yesterday's bill is reconciled (`anxin deadlines` queues
# it): WeChat Pay's bills are ready from 10:00, Alipay's from 09:00.
# `anxin deadlines` queues yesterday's reconciliation (off: run `anxin reconcile` from cron).
ANXIN_RECONCILE_DAILY = env_bool("ANXIN_RECONCILE_DAILY", True)
ANXIN_RECONCILE_HOUR = env_int("ANXIN_RECONCILE_HOUR", 10, minimum=0, maximum=23)
# `anxin deadlines` queues the whole books' audit this often (minutes; 0: never, run `anxin
# ledger audit` from cron instead); the operator's desk shows the last one.
ANXIN_AUDIT_EVERY_MINUTES = env_int("ANXIN_AUDIT_EVERY_MINUTES", 60, minimum=0)
ANXIN_KEYS_DIR = Path(env_str("ANXIN_KEYS_DIR", str(DATA_DIR / "keys")))
# Where PostgreSQL's client programs are (pg_dump and pg_restore for `anxin backup` and
# `anxin restore`), when not the ones on the PATH: they should be the server's version or newer.
ANXIN_PG_BINDIR = env_str("ANXIN_PG_BINDIR", "")
# Real payment providers (ANXIN_PAYMENT_PROVIDER = wechatpay | alipay; README, "Payment
# providers"). Identifiers come from the environment; keys and certificates are FILES whose paths
# come from the environment, read when the provider is first used, never stored in the database.
# A notification signed longer ago than this, or presenting a nonce seen before, is refused.
ANXIN_PAYMENT_SIGNATURE_TOLERANCE_SECONDS = env_int(
    "ANXIN_PAYMENT_SIGNATURE_TOLERANCE_SECONDS", 300, minimum=1
)
# WeChat Pay API v3: merchant id, app id, the merchant API certificate's serial number and its
# private key (apiclient_key.pem), the APIv3 key (a file holding the 32-character key), and the
# platform's key: either WeChat Pay's public key and its id (PUB_KEY_ID_...), or a directory of
# platform certificates (wechatpay_<serial>.pem).
ANXIN_WECHATPAY_MCHID = env_str("ANXIN_WECHATPAY_MCHID", "")
ANXIN_WECHATPAY_APPID = env_str("ANXIN_WECHATPAY_APPID", "")
ANXIN_WECHATPAY_CERT_SERIAL_NO = env_str("ANXIN_WECHATPAY_CERT_SERIAL_NO", "")
ANXIN_WECHATPAY_PRIVATE_KEY_PATH = env_str("ANXIN_WECHATPAY_PRIVATE_KEY_PATH", "")
ANXIN_WECHATPAY_APIV3_KEY_PATH = env_str("ANXIN_WECHATPAY_APIV3_KEY_PATH", "")
ANXIN_WECHATPAY_PUBLIC_KEY_PATH = env_str("ANXIN_WECHATPAY_PUBLIC_KEY_PATH", "")
ANXIN_WECHATPAY_PUBLIC_KEY_ID = env_str("ANXIN_WECHATPAY_PUBLIC_KEY_ID", "")
ANXIN_WECHATPAY_CERT_DIR = env_str("ANXIN_WECHATPAY_CERT_DIR", "")
ANXIN_WECHATPAY_NOTIFY_URL = env_str("ANXIN_WECHATPAY_NOTIFY_URL", "")
# How buyers pay: native (a QR code), h5 (a phone browser) or jsapi (inside WeChat).
ANXIN_WECHATPAY_PAY_KIND = env_str("ANXIN_WECHATPAY_PAY_KIND", "native")
# The transfer scene of seller payouts (商家转账; 1005: 佣金报酬) as configured for the merchant.
ANXIN_WECHATPAY_TRANSFER_SCENE_ID = env_str("ANXIN_WECHATPAY_TRANSFER_SCENE_ID", "1005")
# Alipay (open platform, RSA2, public-key mode): app id, the app's private key, Alipay's public
# key, where Alipay notifies and returns the buyer; wap (phone) or page (computer) pay.
ANXIN_ALIPAY_APPID = env_str("ANXIN_ALIPAY_APPID", "")
ANXIN_ALIPAY_APP_PRIVATE_KEY_PATH = env_str("ANXIN_ALIPAY_APP_PRIVATE_KEY_PATH", "")
ANXIN_ALIPAY_PUBLIC_KEY_PATH = env_str("ANXIN_ALIPAY_PUBLIC_KEY_PATH", "")
# Or certificate mode (公钥证书模式, which Alipay requires for transfers): the app's public key
# certificate, Alipay's public key certificate and Alipay's root certificate, instead of the key.
ANXIN_ALIPAY_APP_CERT_PATH = env_str("ANXIN_ALIPAY_APP_CERT_PATH", "")
ANXIN_ALIPAY_CERT_PATH = env_str("ANXIN_ALIPAY_CERT_PATH", "")
ANXIN_ALIPAY_ROOT_CERT_PATH = env_str("ANXIN_ALIPAY_ROOT_CERT_PATH", "")
ANXIN_ALIPAY_NOTIFY_URL = env_str("ANXIN_ALIPAY_NOTIFY_URL", "")
ANXIN_ALIPAY_RETURN_URL = env_str("ANXIN_ALIPAY_RETURN_URL", "")
ANXIN_ALIPAY_PAY_KIND = env_str("ANXIN_ALIPAY_PAY_KIND", "wap")
# Alipay's sandbox gateway (openapi-sandbox.dl.alipaydev.com) instead of the real one.
ANXIN_ALIPAY_SANDBOX_GATEWAY = env_bool("ANXIN_ALIPAY_SANDBOX_GATEWAY", False)

# The evidence log. Its origin line names the log in every checkpoint and is the name of its
# signing key (created in ANXIN_KEYS_DIR on first use, never stored in the database).
ANXIN_LOG_ORIGIN = env_str("ANXIN_LOG_ORIGIN", "anxin.localhost/log")
# The name of the key that signs sellers' badges (a C2SP signed-note key name).
ANXIN_BADGE_ORIGIN = env_str("ANXIN_BADGE_ORIGIN", "anxin.localhost/badge")
# Transaction records are kept at least three years (E-commerce Law Art. 31) before a
# person's data in them may be erased.
ANXIN_EVIDENCE_RETENTION_YEARS = env_int("ANXIN_EVIDENCE_RETENTION_YEARS", 3, minimum=3)
ANXIN_SEQUENCER_BATCH = env_int("ANXIN_SEQUENCER_BATCH", 20_000, minimum=1)
ANXIN_CHAT_MAX_TEXT = env_int("ANXIN_CHAT_MAX_TEXT", 2000, minimum=1)
# The longest term of an adjustment of a seller's credit score by hand (credit.adjust).
ANXIN_CREDIT_ADJUST_MAX_DAYS = env_int("ANXIN_CREDIT_ADJUST_MAX_DAYS", 90, minimum=1, maximum=365)
# Automatic blacklist grounds (reputation.blacklist.monitor): complaints lost by default in a
# year, and a runaway seller's unshipped paid orders this many days past the promised date.
ANXIN_BLACKLIST_DEFAULTS = env_int("ANXIN_BLACKLIST_DEFAULTS", 3, minimum=1)
ANXIN_BLACKLIST_RUNAWAY_ORDERS = env_int("ANXIN_BLACKLIST_RUNAWAY_ORDERS", 3, minimum=1)
ANXIN_BLACKLIST_RUNAWAY_GRACE_DAYS = env_int("ANXIN_BLACKLIST_RUNAWAY_GRACE_DAYS", 7, minimum=1)
# A regulator's order to correct: the most days it may give (anxin.supervision.regulator).
ANXIN_CORRECTION_MAX_DAYS = env_int("ANXIN_CORRECTION_MAX_DAYS", 90, minimum=1, maximum=365)
# The working days the platform has to answer a regulator's data request (OTSM Art. 34 sets
# none: the request names it; this is Anxin's default).
ANXIN_DATA_REQUEST_WORKING_DAYS = env_int(
    "ANXIN_DATA_REQUEST_WORKING_DAYS", 5, minimum=1, maximum=60
)
# Early warning (anxin.supervision.early_warning): a seller with at least MIN complaints in the
# last WINDOW days, FACTOR times its own per-window average over the HISTORY days before, or
# FACTOR times its category's per-seller count in the window, alerts its region's offices.
ANXIN_WARNING_WINDOW_DAYS = env_int("ANXIN_WARNING_WINDOW_DAYS", 30, minimum=1, maximum=365)
ANXIN_WARNING_HISTORY_DAYS = env_int("ANXIN_WARNING_HISTORY_DAYS", 180, minimum=1, maximum=3650)
ANXIN_WARNING_MIN_COMPLAINTS = env_int("ANXIN_WARNING_MIN_COMPLAINTS", 3, minimum=1)
ANXIN_WARNING_FACTOR = env_float("ANXIN_WARNING_FACTOR", 3.0, minimum=1.0, maximum=100.0)
# A task a worker claimed this long ago and never finished goes back to the queue (the worker
# died); tasks are idempotent, so one still running that long is merely run again.
ANXIN_TASK_STALE_MINUTES = env_int("ANXIN_TASK_STALE_MINUTES", 30, minimum=1)
# A seller is graded (A to E) only after this many orders in the last year; before, "new".
ANXIN_CREDIT_MIN_ORDERS = env_int("ANXIN_CREDIT_MIN_ORDERS", 10, minimum=1)

# --- Accounts: sign-in throttling, sign-up and reset quotas, API tokens ---------------------
# Sign-in (web and API alike) goes through django-axes (anxin.accounts.throttle): after this
# many failures for one user name in a day, the name is locked for ANXIN_SIGNIN_LOCK_MINUTES;
# each further failure doubles the wait, up to a day. One address is locked the same way after
# ANXIN_SIGNIN_ADDRESS_FAILURES failures for any names (more, as many people share an address).
ANXIN_SIGNIN_FAILURES = env_int("ANXIN_SIGNIN_FAILURES", 5, minimum=1, maximum=100)
ANXIN_SIGNIN_ADDRESS_FAILURES = env_int(
    "ANXIN_SIGNIN_ADDRESS_FAILURES", 20, minimum=1, maximum=10_000
)
ANXIN_SIGNIN_LOCK_MINUTES = env_int("ANXIN_SIGNIN_LOCK_MINUTES", 15, minimum=1, maximum=24 * 60)
# Sign-ups, and password-reset requests, one address may make in an hour (each).
ANXIN_ACCOUNT_REQUESTS_PER_HOUR = env_int(
    "ANXIN_ACCOUNT_REQUESTS_PER_HOUR", 10, minimum=1, maximum=10_000
)
# How many reverse proxies stand in front of Anxin and append to X-Forwarded-For: the client's
# address is the one the outermost of them saw. 0: the connection's own address.
ANXIN_PROXY_COUNT = env_int("ANXIN_PROXY_COUNT", 0, minimum=0, maximum=5)
# A password-reset link works once, for this many minutes.
ANXIN_PASSWORD_RESET_MINUTES = env_int(
    "ANXIN_PASSWORD_RESET_MINUTES", 60, minimum=5, maximum=3 * 24 * 60
)
PASSWORD_RESET_TIMEOUT = ANXIN_PASSWORD_RESET_MINUTES * 60
# API tokens expire this many days after they are made; a user holds at most
# ANXIN_API_TOKENS_PER_USER live ones (making one more revokes the oldest).
ANXIN_API_TOKEN_DAYS = env_int("ANXIN_API_TOKEN_DAYS", 30, minimum=1, maximum=365)
ANXIN_API_TOKENS_PER_USER = env_int("ANXIN_API_TOKENS_PER_USER", 10, minimum=1, maximum=1000)

# --- Phone sign-in (one-time SMS codes) and staff two-factor sign-in ------------------------
# Buyers sign up and sign in with a mainland mobile number and a six-digit code sent by SMS
# (accounts.phone). The provider: `sandbox` (sends nothing; each message is kept and, where
# ANXIN_SMS_SANDBOX_PAGE allows, listed on the demo's codes page) or `tencent` (Tencent Cloud SMS).
ANXIN_SMS_PROVIDER = env_str("ANXIN_SMS_PROVIDER", "sandbox")
if ANXIN_SMS_PROVIDER not in ("sandbox", "tencent"):
    raise ImproperlyConfigured("ANXIN_SMS_PROVIDER: sandbox or tencent")
# A site behind TLS (ANXIN_HTTPS) is taken for production: it refuses to start with the sandbox,
# where no code ever reaches a phone, unless this says it is a trial that may.
ANXIN_SMS_SANDBOX_ALLOWED = env_bool("ANXIN_SMS_SANDBOX_ALLOWED", False)
if ANXIN_SMS_PROVIDER == "sandbox" and ANXIN_HTTPS and not ANXIN_SMS_SANDBOX_ALLOWED:
    raise ImproperlyConfigured(
        "ANXIN_SMS_PROVIDER is the sandbox on a production site (ANXIN_HTTPS): configure a real "
        "SMS provider, or set ANXIN_SMS_SANDBOX_ALLOWED=1 for a trial (README: Phone sign-in)"
    )
# Whether the sandbox's codes page (/sandbox/sms) shows the codes it "sent", and the sign-in
# pages link to it: on for the demo and development, off by default behind TLS, where anyone
# could read anyone's code there.
ANXIN_SMS_SANDBOX_PAGE = env_bool("ANXIN_SMS_SANDBOX_PAGE", DEBUG or not ANXIN_HTTPS)
# A code works once, for this many minutes; this many wrong tries burn it.
ANXIN_SMS_CODE_MINUTES = env_int("ANXIN_SMS_CODE_MINUTES", 5, minimum=1, maximum=30)
ANXIN_SMS_CODE_TRIES = env_int("ANXIN_SMS_CODE_TRIES", 5, minimum=1, maximum=10)
# Codes sent to one number: at most one a minute, this many an hour and a day.
ANXIN_SMS_PER_NUMBER_HOUR = env_int("ANXIN_SMS_PER_NUMBER_HOUR", 5, minimum=1, maximum=100)
ANXIN_SMS_PER_NUMBER_DAY = env_int("ANXIN_SMS_PER_NUMBER_DAY", 10, minimum=1, maximum=1000)
# Codes asked for from one client address (ANXIN_PROXY_COUNT says which), to any numbers.
ANXIN_SMS_PER_ADDRESS_HOUR = env_int("ANXIN_SMS_PER_ADDRESS_HOUR", 20, minimum=1, maximum=10_000)
ANXIN_SMS_PER_ADDRESS_DAY = env_int("ANXIN_SMS_PER_ADDRESS_DAY", 50, minimum=1, maximum=100_000)
# Tencent Cloud SMS (ANXIN_SMS_PROVIDER=tencent): the API key's SecretId, a FILE holding its
# SecretKey, the SMS application's SdkAppId, the approved signature (签名) and the approved
# template's id (two parameters: the code, its minutes), and the API region.
ANXIN_TENCENT_SMS_SECRET_ID = env_str("ANXIN_TENCENT_SMS_SECRET_ID", "")
ANXIN_TENCENT_SMS_SECRET_KEY_PATH = env_str("ANXIN_TENCENT_SMS_SECRET_KEY_PATH", "")
ANXIN_TENCENT_SMS_APP_ID = env_str("ANXIN_TENCENT_SMS_APP_ID", "")
ANXIN_TENCENT_SMS_SIGN_NAME = env_str("ANXIN_TENCENT_SMS_SIGN_NAME", "")
ANXIN_TENCENT_SMS_TEMPLATE_ID = env_str("ANXIN_TENCENT_SMS_TEMPLATE_ID", "")
ANXIN_TENCENT_SMS_REGION = env_str("ANXIN_TENCENT_SMS_REGION", "ap-guangzhou")
# Roles that sign in with a password AND a second factor (a TOTP app, or a backup code).
ANXIN_2FA_ROLES = frozenset(
    r.strip() for r in env_str("ANXIN_2FA_ROLES", "operator,regulator").split(",") if r.strip()
)
if ANXIN_2FA_ROLES - {"buyer", "seller", "mediator", "adjudicator", "regulator", "operator"}:
    raise ImproperlyConfigured(
        "ANXIN_2FA_ROLES: roles among buyer, seller, mediator, adjudicator, regulator, operator"
    )
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = env_str("ANXIN_2FA_ISSUER", "Anxin")
# Minutes between the password and the second factor before the password is asked again.
ANXIN_2FA_PENDING_MINUTES = 10

AUTHENTICATION_BACKENDS = [
    "anxin.accounts.throttle.SignInBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "anxin.accounts.throttle.SignInHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = ANXIN_SIGNIN_FAILURES
# How long failures are remembered (hours): the longest lock. The lock itself is decided by
# SignInHandler from the failures and the time of the last one.
AXES_COOLOFF_TIME = 24
# A locked name or address is refused without recording the attempt: hammering a lock costs
# the server a read, and never a write.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "anxin.accounts.throttle.signin_name"
AXES_CLIENT_IP_CALLABLE = "anxin.accounts.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "anxin.accounts.throttle.lockout_response"
# No log of every sign-in's address and browser kept forever; failures are kept a day.
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "current_password", "new_password"]
AXES_VERBOSE = False

# --- Object storage: media and the evidence log's tiles (README, "Object storage") ----------
# Media (evidence photos, licences, review photos): `local` (MEDIA_ROOT, the default) or `s3`,
# a private bucket of an S3-compatible service (anxin.core.storage.MediaS3Storage). Either way
# every file is read and written through Django's storage API and served only by Anxin's own
# permission-checked views: the bucket stays private and no presigned URL is handed out.
ANXIN_MEDIA_STORAGE = env_str("ANXIN_MEDIA_STORAGE", "local")
if ANXIN_MEDIA_STORAGE not in ("local", "s3"):
    raise ImproperlyConfigured("ANXIN_MEDIA_STORAGE: local or s3")
# The S3-compatible service: bucket, endpoint (empty: AWS's), region, the access key's id and
# its secret (or a FILE holding the secret; neither: boto3's own chain, e.g. an instance role),
# the addressing style (auto, path or virtual) and a key prefix for media inside the bucket.
ANXIN_S3_BUCKET = env_str("ANXIN_S3_BUCKET", "")
ANXIN_S3_ENDPOINT_URL = env_str("ANXIN_S3_ENDPOINT_URL", "")
ANXIN_S3_REGION = env_str("ANXIN_S3_REGION", "")
ANXIN_S3_ACCESS_KEY_ID = env_str("ANXIN_S3_ACCESS_KEY_ID", "")
ANXIN_S3_SECRET_ACCESS_KEY = env_str("ANXIN_S3_SECRET_ACCESS_KEY", "")
ANXIN_S3_SECRET_ACCESS_KEY_PATH = env_str("ANXIN_S3_SECRET_ACCESS_KEY_PATH", "")
ANXIN_S3_ADDRESSING_STYLE = env_str("ANXIN_S3_ADDRESSING_STYLE", "auto")
if ANXIN_S3_ADDRESSING_STYLE not in ("auto", "path", "virtual"):
    raise ImproperlyConfigured("ANXIN_S3_ADDRESSING_STYLE: auto, path or virtual")
ANXIN_S3_PREFIX = env_str("ANXIN_S3_PREFIX", "").strip("/")
# A mirror of the evidence log as static files (C2SP tlog-tiles: checkpoint, tile/…), which
# the sequencer publishes after its batches (anxin.evidence.mirror) for verifiers and a CDN:
# `none` (the default), `local` (the folder ANXIN_TILES_DIR) or `s3` (ANXIN_TILES_S3_BUCKET,
# the media bucket unless set, under ANXIN_TILES_S3_PREFIX). The database stays the source.
ANXIN_TILES_STORAGE = env_str("ANXIN_TILES_STORAGE", "none")
if ANXIN_TILES_STORAGE not in ("none", "local", "s3"):
    raise ImproperlyConfigured("ANXIN_TILES_STORAGE: none, local or s3")
ANXIN_TILES_DIR = Path(env_str("ANXIN_TILES_DIR", str(DATA_DIR / "tiles"))).resolve()
ANXIN_TILES_S3_BUCKET = env_str("ANXIN_TILES_S3_BUCKET", "") or ANXIN_S3_BUCKET
ANXIN_TILES_S3_PREFIX = env_str("ANXIN_TILES_S3_PREFIX", "log").strip("/")
if ANXIN_MEDIA_STORAGE == "s3":
    STORAGES["default"] = {"BACKEND": "anxin.core.storage.MediaS3Storage"}
if ANXIN_TILES_STORAGE != "none":
    STORAGES["tiles"] = {
        "BACKEND": "anxin.core.storage.PublishS3Storage"
        if ANXIN_TILES_STORAGE == "s3"
        else "anxin.core.storage.PublishFolderStorage"
    }
