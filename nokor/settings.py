"""Nokor settings: one module, configured by environment variables (see README, "Configuration")."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONCE

from nokor.core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("NOKOR_DATA_DIR", str(BASE_DIR / "data")))

DEBUG = env_bool("NOKOR_DEBUG", False)
DEMO = env_bool("NOKOR_DEMO", False)  # demo sign-ins are printed and shown only in demo mode
_INSECURE_KEY = "insecure-dev-key-never-use-in-production-0123456789abcdefghijklmnop"
TESTING = "PYTEST_VERSION" in os.environ  # pytest sets it for the run
# Developer tools that neither serve requests nor sign anything may run without a key.
_OFFLINE_COMMAND = sys.argv[1:2] in (["makemigrations"], ["makemessages"], ["compilemessages"])
SECRET_KEY = env_str(
    "NOKOR_SECRET_KEY", _INSECURE_KEY if (DEBUG or DEMO or TESTING or _OFFLINE_COMMAND) else ""
)
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "Set NOKOR_SECRET_KEY (or NOKOR_SECRET_KEY_FILE), or NOKOR_DEBUG=1 for development."
    )
ALLOWED_HOSTS = env_list("NOKOR_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("NOKOR_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("NOKOR_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.usersessions",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the Swagger UI files of /api/v1/docs itself (else Ninja loads them from a CDN)
    "nokor.core",
    "nokor.geography",
    "nokor.accounts",
    "nokor.audit",
    "nokor.notifications",
    "nokor.documents",
    "nokor.services",
    "nokor.cyber",
    "nokor.academy",
    "nokor.infrastructure",
    "nokor.strategy",
    "nokor.opendata",
    "nokor.integrations",
]

MIDDLEWARE = [
    "nokor.core.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages sent compressed (the long public plan page: 50 KB, 5 KB sent; Django pads them against BREACH),
    # whatever the proxy in front does. WhiteNoise, above, sends static files compressed already.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "nokor.accounts.middleware.AccountGuardMiddleware",
    "nokor.core.access.AccessRuleMiddleware",
    "nokor.core.db_router.PrimaryPinMiddleware",
]

ROOT_URLCONF = "nokor.urls"
WSGI_APPLICATION = "nokor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "nokor" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "nokor.core.context_processors.site",
            ],
            "builtins": [
                "django.templatetags.i18n",
                "nokor.core.templatetags.nokor",
                "nokor.core.templatetags.formatting",
            ],
        },
    }
]

# Plain-text messages (notification templates): the same loaders and filters, without HTML escaping.
TEMPLATES.append(
    {
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False, "builtins": TEMPLATES[0]["OPTIONS"]["builtins"]},
    }
)

# Form widgets render with the templates above (our builtins and overrides), not a private engine.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'nokor.sqlite3'}")
# Health checks: a kept connection that died while idle (the database restarted) is replaced before the
# request uses it, so the platform recovers from a restart by itself.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("NOKOR_DB_CONN_MAX_AGE", 0), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE: a writing transaction takes the write lock at BEGIN, so two writers queue instead of
    # failing with "database is locked" half-way (the audit chain reads its head and then writes).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# An optional streaming replica (PostgreSQL) for the pages marked @replica_reads (nokor/core/db_router.py):
# the rest, every write and every read after a write stay on "default". Reads fall back to "default" when
# the replica is unreachable or more than NOKOR_REPLICA_MAX_LAG_SECONDS behind (checked at most every
# NOKOR_REPLICA_CHECK_SECONDS); a client that sent a form reads from "default" for NOKOR_REPLICA_PIN_SECONDS.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("NOKOR_DB_CONN_MAX_AGE", 0), conn_health_checks=True
    )
    DATABASES["replica"]["OPTIONS"] = {"connect_timeout": 2}
    # Tests that ask for it read the test database through the replica's own connection (never created
    # nor flushed: the primary streams it).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["nokor.core.db_router.PrimaryReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = env_int("NOKOR_REPLICA_MAX_LAG_SECONDS", 10)
REPLICA_CHECK_SECONDS = env_int("NOKOR_REPLICA_CHECK_SECONDS", 5)
REPLICA_PIN_SECONDS = env_int("NOKOR_REPLICA_PIN_SECONDS", 30)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions ------------------------------------------------------------------------------
REDIS_URL = env_str("NOKOR_REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered template fragments that change only with a deployment (navigation, footer, static page text),
# keyed by language: kept in each process's memory, emptied by the restart that deploys new templates.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "TIMEOUT": None,
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Seconds a signed-in person's roles, second factor and unread count stay in the cache (nokor.core.userfacts;
# each is also dropped when it changes).
USER_FACTS_CACHE_SECONDS = env_int("NOKOR_USER_FACTS_CACHE_SECONDS", 60)
SESSION_COOKIE_AGE = env_int("NOKOR_SESSION_DAYS", 14) * 86400
STAFF_IDLE_TIMEOUT_MINUTES = env_int("NOKOR_STAFF_IDLE_TIMEOUT_MINUTES", 30)

# --- Users and sign-in ----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"

ACCOUNT_ADAPTER = "nokor.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "nokor.accounts.forms.CitizenSignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
ACCOUNT_SIGNUP_FIELDS = ["email", "phone", "password1*", "password2*"]
# allauth wants one login field required; our sign-up form requires one of e-mail or phone instead.
# models.W040: the officer queue's covering indexes (INCLUDE columns) are a PostgreSQL feature; on the
# embedded SQLite they are plain indexes, which is all SQLite needs at its scale.
SILENCED_SYSTEM_CHECKS = ["account.W001", "models.W040"]
# "optional" because a citizen may sign up with a phone number only; AccountGuardMiddleware still keeps
# every signed-in page but the verification ones closed until an e-mail or phone number is verified.
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_RATE_LIMITS = {
    # Lockout: five failed sign-ins for one account lock it for 15 minutes.
    "login_failed": "10/m/ip,5/15m/key",
    "login": "30/m/ip",
    "signup": "20/h/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
}
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_PHONE_VERIFICATION_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}  # feature phones
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if env_bool("NOKOR_HTTPS", False) else "http"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Nokor: "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TOTP_ISSUER = "Nokor"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool("NOKOR_WEBAUTHN_INSECURE_ORIGIN", DEBUG)
# National digital ID (e.g. CamDigiKey) by configuration: see README, "Single sign-on".
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
_OIDC_CLIENT_ID = env_str("NOKOR_OIDC_CLIENT_ID", "")
SOCIALACCOUNT_PROVIDERS = (
    {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": env_str("NOKOR_OIDC_PROVIDER_ID", "national-id"),
                    "name": env_str("NOKOR_OIDC_NAME", "National digital ID"),
                    "client_id": _OIDC_CLIENT_ID,
                    "secret": env_str("NOKOR_OIDC_CLIENT_SECRET", ""),
                    "settings": {"server_url": env_str("NOKOR_OIDC_SERVER_URL", "")},
                }
            ]
        }
    }
    if _OIDC_CLIENT_ID
    else {}
)

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "km"
LANGUAGES = [("km", "ខ្មែរ"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "nokor" / "locale"]
LANGUAGE_COOKIE_NAME = "nokor_language"
LANGUAGE_COOKIE_AGE = 365 * 86400
# Dates people read and deadlines are Cambodian dates (no daylight saving); the database stores UTC.
TIME_ZONE = "Asia/Phnom_Penh"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "nokor" / "static"]
MEDIA_ROOT = Path(
    env_str("NOKOR_MEDIA_ROOT", str(DATA_DIR / "files"))
)  # outside the web root, never served as-is
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A file larger than this is dropped while it arrives (never written whole) and refused as too large;
# each upload field has its own, smaller limit (nokor/core/uploads.py).
UPLOAD_MAX_BYTES = env_int("NOKOR_UPLOAD_MAX_MB", 20) * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "nokor.core.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Background work ------------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("NOKOR_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "notifications"],
    }
}
WORKER_HEARTBEAT_SECONDS = env_int("NOKOR_WORKER_HEARTBEAT_SECONDS", 10)
# Background work yields the processor to pages where both share a machine (os.nice; 0 = as the web).
WORKER_NICE = env_int("NOKOR_WORKER_NICE", 10)

# --- Infrastructure --------------------------------------------------------------------------------
INFRA_USABLE_MIN_MBPS = env_int("NOKOR_USABLE_MIN_MBPS", 2)  # an office's link below this is not usable
# --- Uptime monitors (nokor/infrastructure/monitoring.py) ------------------------------------------
INFRA_CHECK_RETENTION_DAYS = env_int("NOKOR_CHECK_RETENTION_DAYS", 7)  # raw checks (packed by hour)
INFRA_HOURLY_RETENTION_DAYS = env_int("NOKOR_HOURLY_RETENTION_DAYS", 7)  # hourly roll-ups; daily ones stay
INFRA_CHECK_THREADS = env_int("NOKOR_CHECK_THREADS", 16)  # probes run at once by one worker
INFRA_CHECK_BUDGET_SECONDS = env_int("NOKOR_CHECK_BUDGET_SECONDS", 40)  # per run; the rest waits a minute
INFRA_STATUS_CACHE_SECONDS = env_int("NOKOR_STATUS_CACHE_SECONDS", 30)
INFRA_MONITOR_CA_FILE = env_str("NOKOR_MONITOR_CA_FILE", "") or None  # extra trusted CAs (PEM)

# --- Issued documents ----------------------------------------------------------------------------
# PEM files of the key that signs issued documents, its certificate and the CA chain (production: from
# the government CA; demo: `manage.py documents_demo_ca` writes them at these default paths).
SIGNING_KEY_FILE = Path(env_str("NOKOR_SIGNING_KEY_FILE", str(DATA_DIR / "signing" / "signing-key.pem")))
SIGNING_CERT_FILE = Path(env_str("NOKOR_SIGNING_CERT_FILE", str(DATA_DIR / "signing" / "signing-cert.pem")))
SIGNING_CHAIN_FILE = Path(env_str("NOKOR_SIGNING_CHAIN_FILE", str(DATA_DIR / "signing" / "chain.pem")))
SIGNING_KEY_PASSPHRASE = env_str("NOKOR_SIGNING_KEY_PASSPHRASE", "")
DOCUMENT_VERIFY_RATE_LIMIT = env_int("NOKOR_DOCUMENT_VERIFY_RATE_LIMIT", 60)  # per client IP per minute

# --- Partner integrations (nokor/integrations) -----------------------------------------------------
# Seconds a process keeps API key calls in memory before writing usage counts and last-used times (tests:
# at once, so no count outlives its test's rolled-back key).
INTEGRATIONS_USAGE_FLUSH_SECONDS = env_int("NOKOR_INTEGRATIONS_USAGE_FLUSH_SECONDS", 0 if TESTING else 60)
# Webhook addresses on loopback or private networks are refused unless this is set (tests, development).
INTEGRATIONS_WEBHOOK_ALLOW_PRIVATE = env_bool("NOKOR_WEBHOOK_ALLOW_PRIVATE", DEBUG)
INTEGRATIONS_WEBHOOK_TIMEOUT_SECONDS = env_int("NOKOR_WEBHOOK_TIMEOUT_SECONDS", 5)

# --- E-mail and SMS -------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("NOKOR_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("NOKOR_EMAIL_FILE_PATH", str(DATA_DIR / "mail"))  # the file backend's folder
EMAIL_HOST = env_str("NOKOR_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("NOKOR_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("NOKOR_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("NOKOR_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("NOKOR_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("NOKOR_FROM_EMAIL", "Nokor <no-reply@nokor.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SMS_GATEWAY = env_str("NOKOR_SMS_GATEWAY", "nokor.notifications.channels.sms.LoggingGateway")
SMS_INBOUND_SECRET = env_str("NOKOR_SMS_INBOUND_SECRET", "")  # signs the gateway's inbound webhook

# --- Security -------------------------------------------------------------------------------------
HTTPS = env_bool("NOKOR_HTTPS", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
# Behind our reverse proxy, allauth's per-IP rate limits count the client address the proxy appended to
# X-Forwarded-For (as RequestContextMiddleware does), not the proxy's own address shared by everyone.
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if HTTPS else 0
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("NOKOR_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Over HTTPS the cookies carry the __Host- prefix: the browser keeps them only if Secure, for the whole
# site and this host alone (ASVS 5.0 3.3.1, 3.3.3).
_COOKIE_PREFIX = "__Host-" if HTTPS else ""
SESSION_COOKIE_NAME = f"{_COOKIE_PREFIX}sessionid"
CSRF_COOKIE_NAME = f"{_COOKIE_PREFIX}csrftoken"
LANGUAGE_COOKIE_NAME = f"{_COOKIE_PREFIX}{LANGUAGE_COOKIE_NAME}"
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],  # the response's nonce, when a page used it (htmx_script does)
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],  # no page sets a <base> (ASVS 5.0 3.4.3)
        "object-src": ["'none'"],
    }
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# --- Logging --------------------------------------------------------------------------------------
LOG_LEVEL = env_str("NOKOR_LOG_LEVEL", "INFO")
LOG_JSON = env_bool("NOKOR_LOG_JSON", not DEBUG)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "nokor.core.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "filters": {"request_id": {"()": "nokor.core.logging.RequestIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_JSON else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # PDF rendering logs every step at INFO; its warnings (missing glyphs, fonts) still show.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

ADMIN_URL = env_str("NOKOR_ADMIN_URL", "admin/")

# --- Cybercrime ----------------------------------------------------------------------------------
# Scam check: independent reports that list an identifier without a confirmation; days after the last
# report (or confirmation) a listing lapses; checks per client IP per minute; TLP of the STIX export.
CYBER_LISTING_MIN_REPORTS = env_int("NOKOR_CYBER_LISTING_MIN_REPORTS", 3)
CYBER_LISTING_EXPIRY_DAYS = env_int("NOKOR_CYBER_LISTING_EXPIRY_DAYS", 365)
CYBER_CHECK_RATE_LIMIT = env_int("NOKOR_CYBER_CHECK_RATE_LIMIT", 30)
CYBER_STIX_TLP = env_str("NOKOR_CYBER_STIX_TLP", "amber")  # clear, green, amber or red
# Reporting: reports per client IP per hour; status checks per client IP per minute.
CYBER_REPORT_RATE_LIMIT = env_int("NOKOR_CYBER_REPORT_RATE_LIMIT", 20)
CYBER_STATUS_RATE_LIMIT = env_int("NOKOR_CYBER_STATUS_RATE_LIMIT", 10)
# Freeze requests: minutes a bank or e-wallet has to answer (the "golden hour" after the request).
CYBER_FREEZE_ANSWER_MINUTES = env_int("NOKOR_CYBER_FREEZE_ANSWER_MINUTES", 60)
# Seconds a scam-check answer is reused; any new report, verdict or allow-list change clears it at once.
CYBER_CHECK_CACHE_SECONDS = env_int("NOKOR_CYBER_CHECK_CACHE_SECONDS", 60)
# Seconds a process keeps scam-check searches in memory before writing their counts (0: write at once).
CYBER_SEARCH_COUNT_FLUSH_SECONDS = env_int("NOKOR_CYBER_SEARCH_COUNT_FLUSH_SECONDS", 10)
# Days before a mandatory course's due date when the learner is reminded.
ACADEMY_REMINDER_DAYS = (7, 1)

METRICS_ALLOWED_IPS = env_list("NOKOR_METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])

# The benchmark harness measures every figure against a bare view; it exists only when asked for.
BENCH_BARE_VIEW = env_bool("NOKOR_BENCH_BARE_VIEW", False)

CSRF_FAILURE_VIEW = "nokor.core.views.csrf_failure"
