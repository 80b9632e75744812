"""Settings shared by every environment. Values come from the environment (django-environ).

`dev` and `test` fill in the embedded services (private PostgreSQL, local S3, filesystem broker)
when the matching variables are not set; `production` refuses to start without them.
"""

import contextlib
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

import environ
from celery.schedules import crontab

from mooc_platform import i18n
from mooc_platform.observability import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / ".var"

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)

# The platform answers on PLATFORM_DOMAIN and every tenant on <slug>.PLATFORM_DOMAIN (SPEC R1).
PLATFORM_DOMAIN = env("PLATFORM_DOMAIN", default="localhost")
PLATFORM_NAME = env("PLATFORM_NAME", default="MOOC Platform")
PLATFORM_TIME_ZONE = "Europe/Paris"
# Absolute links in e-mails (invitations, exports): scheme and, behind no proxy, the port.
PLATFORM_URL_SCHEME = env("PLATFORM_URL_SCHEME", default="https")
PLATFORM_URL_PORT = env("PLATFORM_URL_PORT", default="")
# Addresses (or prefixes) of the reverse proxies whose X-Forwarded-For is believed; empty: the socket's
# peer is the client (mooc_platform.http.client_ip: login throttling, signature evidence, audit).
TRUSTED_PROXY_IPS = env.list("TRUSTED_PROXY_IPS", default=[])
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[PLATFORM_DOMAIN, f".{PLATFORM_DOMAIN}"])

# --- Tenancy (django-tenants) -------------------------------------------------------------------
SHARED_APPS = [
    "django_tenants",
    "mooc_platform",
    "mooc_platform.accounts",
    "tenants",
    "invoicing",
    "maintenance",
    "claims",
    "privacy",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Django admin under the operator console, on the console's own site (OTP required, themed, restricted).
    "console.apps.ConsoleAdminConfig",
    "console",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from the package, never a CDN (issue 11 item 8)
    "django_celery_beat",
]
# Users, sessions and tokens live in each tenant's schema too (SPEC §2): the same e-mail in two
# organisations is two accounts, and a token is only valid on the host that issued it.
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "mooc_platform.accounts",
    "courses",
    "onlinehelp",
    "integrations",
    "lti",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "mooc_platform.urls_public"
ROOT_URLCONF = "mooc_platform.urls_tenant"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# How long a host -> tenant lookup stays cached in each process (SPEC §5 tenancy overhead).
# Long by default: every request still reads the routing version, so no entry outlives a change to a
# tenant or a domain (tenants.routing); a short lifetime only costs a query per request at 1,000 tenants.
TENANT_CACHE_SECONDS = env.int("TENANT_CACHE_SECONDS", default=3600)
# `SET search_path` once per schema switch, not once per cursor (django-tenants resets it on every
# set_tenant, rollback and reconnect, so it cannot go stale).
TENANT_LIMIT_SET_CALLS = True
# New tenants are cloned from this schema, kept migrated by `migrate_schemas` (tenants/migration.py).
TENANT_BASE_SCHEMA = "tenant_template"
# Schemas cloned ahead of time and renamed on provisioning (tenants/schema_pool.py): 0 = off (one PostgreSQL
# clones in ~0.1 s); on Citus, where a clone is ~150 distributed DDL commands, keep a few (infra/SCALING.md).
TENANT_SCHEMA_POOL_SIZE = env.int("TENANT_SCHEMA_POOL_SIZE", default=0)
# The tenant apps (courses) and mooc_platform read and count on their own tenant's row by value through
# these functions of tenants, named by dotted path: they never import tenants (SPEC §2), and the Tenant
# model is reached only inside tenants/ (ruff TID251 bans get_tenant_model() elsewhere).
TENANT_ROW_READER = "tenants.selectors.tenant_row_by_schema"
TENANT_HOST_READER = "tenants.selectors.tenant_primary_host_by_schema"
TENANT_STORAGE_COUNTER = "tenants.services.storage.storage_usage_add"
# The organisation's language (`Tenant.language`, its one home) as its administrators change it on the branding page.
TENANT_LANGUAGE_WRITER = "tenants.services.edits.tenant_language_set_by_schema"
TENANT_SCHEMAS_READER = "tenants.selectors.tenant_schemas_live"
# A web worker's warm-up caches the host lookups of the tenants it warms (mooc_platform.warmup).
TENANT_HOST_CACHE_FILLER = "tenants.routing.host_cache_fill"
# The administrators' dashboard (issue 13 item 1) reads the lifecycle and the billing by value.
TENANT_TIMELINE_READER = "tenants.selectors.tenant_timeline_by_schema"
TENANT_BILLING_READER = "invoicing.selectors.tenant_billing_summary_by_schema"
# The display name of the From header of a tenant's e-mails (its branding, issue 13 item 4).
TENANT_EMAIL_SENDER_READER = "courses.selectors.branding.branding_email_sender_name"
# SPEC R29: what the other apps keep in `public` about a purged tenant's users, anonymised by the purge
# (tenants.services.privacy; tenants imports no other app, so they are named here).
TENANT_PURGE_ANONYMISERS = ["maintenance.privacy.maintenance_notices_anonymise_tenant",
                            "claims.services.claims_anonymise_tenant",
                            "privacy.services.tenant_privacy_notice_anonymise"]
# `seed_demo` and the test suite: each app seeds its own demo data, in this order (mooc_platform.demo).
DEMO_SEEDERS = ["tenants.demo.demo_seed", "courses.demo.demo_seed", "invoicing.demo.demo_seed",
                "console.demo.demo_seed"]
GET_EXECUTOR_FUNCTION = "tenants.migration.get_executor"
# Tables a web worker's connections read in every tenant schema before taking requests when
# WEB_PREWARM_TENANTS is set (mooc_platform.warmup, gunicorn's post_worker_init).
WARMUP_MODELS = ["accounts.User", "accounts.AccessToken", "sessions.Session", "courses.Course", "courses.Module",
                 "courses.Lesson", "courses.Enrollment", "courses.LessonCompletion", "courses.Branding"]
# How long each process keeps its snapshot of the maintenance windows (maintenance.state);
# unset = min(5, TENANT_CACHE_SECONDS), so settings without the tenant cache (tests) have none either.
MAINTENANCE_CACHE_SECONDS = env.int("MAINTENANCE_CACHE_SECONDS", default=None)
# Who reads the quiz deadlines a window covers, for the operator (the maintenance app may not import courses,
# SPEC §2; settings may name apps).
# Single sign-on (issue 17 item 1): why a password sign-in is refused on a tenant host (its "SSO only" policy),
# asked by the login form and the token API (mooc_platform imports no app).
PASSWORD_SIGN_IN_REFUSAL = "integrations.services.sso.sso_password_refusal"
MAINTENANCE_QUIZ_DEADLINES_READER = "courses.selectors.learning.quiz_deadlines_between_across_tenants"

MIDDLEWARE = [
    # Outermost: the request id every log record of the request carries, and the per-tenant metrics.
    "mooc_platform.observability.RequestContextMiddleware",
    # First, so that every answer (an unknown host's 404, a maintenance 503) carries HSTS, the SSL
    # redirect and the Content-Security-Policy (issue 11 item 8); static files are served before any lookup.
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every page, on every host, shows and reads dates in Paris time (SPEC §2).
    "mooc_platform.business_time.BusinessTimeMiddleware",
    "tenants.routing.CachedTenantMiddleware",
    # NUL bytes refused; what the database refuses because of the input is a 400/409, never a 500.
    "mooc_platform.input_guards.HostileInputMiddleware",
    # Right after the tenant: during a window, a refused request touches no session or user table.
    "maintenance.middleware.MaintenanceModeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "courses.middleware.TenantLanguageMiddleware",
    # Suspended / ended / retention tenants: information screen, billing and export only (SPEC R11, R14).
    "tenants.middleware.TenantStateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A member without a name is asked for it before anything else (names, never e-mails, are shown).
    "courses.middleware.NameRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # RateLimit-* headers on the answers to API keys (issue 17 item 4).
    "integrations.middleware.RateLimitHeadersMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "mooc_platform" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "mooc_platform.context_processors.platform",
                "courses.context_processors.branding",
                "maintenance.context_processors.maintenance_banner",
                "tenants.context_processors.cancellation_banner",
                "onlinehelp.context_processors.help_link",
                "integrations.context_processors.sso",
            ],
            # `{{ value|localized:"money" }}` everywhere without a load (mooc_platform/formatting.py).
            "builtins": ["mooc_platform.templatetags.formatting"],
        },
    }
]

# With DEBUG on, the technical 500 page goes to clients on loopback only (mooc_platform.debug).
DEFAULT_EXCEPTION_REPORTER = "mooc_platform.debug.LoopbackOnlyExceptionReporter"

WSGI_APPLICATION = "mooc_platform.wsgi.application"
ASGI_APPLICATION = "mooc_platform.asgi.application"

# --- Database -----------------------------------------------------------------------------------


def database_from_env(url: str) -> dict:
    """DATABASE_URL -> Django's setting, on django-tenants' backend. A percent-encoded host is a
    unix-socket folder (libpq's convention, used by the embedded PostgreSQL)."""
    config = environ.Env.db_url_config(url)
    config["HOST"] = unquote(config.get("HOST") or "")
    config["ENGINE"] = "django_tenants.postgresql_backend"
    # A new connection costs ~5 ms, and a new connection is cold for every tenant schema (its catalogue
    # caches fill per schema: issue 16): keep them an hour, checked before reuse. One per thread:
    # a web process holds at most WEB_THREADS (mooc_platform.gunicorn_conf), a Celery worker its concurrency.
    config["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=3600)
    config["CONN_HEALTH_CHECKS"] = True
    return config


# django-tenants' backend wraps ours: Django's, with a schema editor Citus accepts (issue 16).
ORIGINAL_BACKEND = "mooc_platform.postgresql_backend"
# dev/test put the embedded PostgreSQL's URL in the environment before this line.
DATABASES = {"default": database_from_env(env("DATABASE_URL", default="postgres:///mooc"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
# Failed sign-ins (SPEC R3, mooc_platform.accounts.throttling): per account and address, per account, per
# address, within the window; a usual address of the account (signed in from, or reset from, in the last
# LOGIN_KNOWN_ADDRESS_DAYS) escapes the account and address limits, never the first.
LOGIN_MAX_FAILURES = env.int("LOGIN_MAX_FAILURES", default=5)
LOGIN_MAX_FAILURES_PER_ACCOUNT = env.int("LOGIN_MAX_FAILURES_PER_ACCOUNT", default=10)
LOGIN_MAX_FAILURES_PER_ADDRESS = env.int("LOGIN_MAX_FAILURES_PER_ADDRESS", default=20)
LOGIN_KNOWN_ADDRESS_DAYS = env.int("LOGIN_KNOWN_ADDRESS_DAYS", default=90)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)

# API tokens (mooc_platform.accounts.tokens): each lasts this long; listed and revoked at /api/v1/me/tokens/.
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)

# --- Operator console (/console/ on the platform host) -----------------------------------------
# An operator's console session ends after this many seconds without a request (issue 12).
CONSOLE_SESSION_IDLE_SECONDS = env.int("CONSOLE_SESSION_IDLE_SECONDS", default=30 * 60)
# Actions that need a second operator's approval (four-eyes): any of "terminate", "purge".
CONSOLE_FOUR_EYES_ACTIONS = env.list("CONSOLE_FOUR_EYES_ACTIONS", default=["terminate", "purge"])
# The issuer shown by authenticator apps next to the operator's e-mail.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="MOOC Platform console")

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = i18n.DEFAULT_LANGUAGE
LANGUAGES = i18n.LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "static")))  # the image collects into /app/static
# WhiteNoise serves the static files of every app (and Swagger UI's) from the process itself, in every
# environment: pages keep no inline script or style (the Content-Security-Policy below forbids them).
WHITENOISE_USE_FINDERS = True
with contextlib.suppress(OSError):  # WhiteNoise also serves STATIC_ROOT (`collectstatic`), warns when missing
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# --- S3 (django-storages + one boto3 integration module: mooc_platform/storage.py) -------------
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="mooc-platform")
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default="eu-west-3")
AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID", default=None)
AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY", default=None)
AWS_S3_SIGNATURE_VERSION = "s3v4"
AWS_DEFAULT_ACL = None
AWS_QUERYSTRING_AUTH = True
AWS_QUERYSTRING_EXPIRE = 300
STORAGES = {
    "default": {"BACKEND": "storages.backends.s3.S3Storage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Celery (tenant-schemas-celery: tasks carry the schema they were sent from) -----------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default="")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport: the embedded default, no server needed.
    _broker_folder = Path(env("CELERY_BROKER_FOLDER", default=str(VAR_DIR / "broker")))
    for _sub in ("queue", "processed", "results", "control"):
        (_broker_folder / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_folder / "queue"),
        "data_folder_out": str(_broker_folder / "queue"),
        "processed_folder": str(_broker_folder / "processed"),
        # Remote-control (pidbox) exchanges: inside the broker folder, not the working directory.
        "control_folder": str(_broker_folder / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = PLATFORM_TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict = {
    # SPEC R12–R15: one daily lifecycle sweep (same service as `manage.py run_lifecycle`).
    "tenants-lifecycle-daily": {"task": "tenants.lifecycle_run", "schedule": crontab(hour=3, minute=0)},
    # SPEC R20: storage usage reconciled against S3 once a day.
    "tenants-storage-reconcile-daily": {"task": "tenants.storage_usage_reconcile_all",
                                        "schedule": crontab(hour=4, minute=0)},
    # SPEC R20: uploads signed but never confirmed give their reserved quota back, their bytes deleted.
    "courses-media-uploads-expire": {"task": "courses.media_uploads_expire_all", "schedule": 15 * 60.0},
    # SPEC R16: maintenance notices and 24 h reminders, each sent exactly once.
    "maintenance-notices": {"task": "maintenance.notices_run", "schedule": 300.0},
    # Issue 16: the pool of pre-cloned tenant schemas kept full (a no-op when TENANT_SCHEMA_POOL_SIZE = 0).
    "tenants-schema-pool-refill": {"task": "tenants.schema_pool_refill", "schedule": 300.0},
    # SPEC R29: users deactivated for longer than PRIVACY_DEACTIVATED_USER_DAYS anonymised (`run_privacy`).
    "courses-privacy-daily": {"task": "courses.privacy_run", "schedule": crontab(hour=4, minute=30)},
    # Issue 14 item 8: quiz deadlines within 48 hours told to learners (once each), and the daily digests.
    "courses-notifications-deadlines": {"task": "courses.notifications_deadlines_all", "schedule": 3600.0},
    "courses-notifications-digest-daily": {"task": "courses.notifications_digest_all",
                                           "schedule": crontab(hour=7, minute=0)},
    # Issue 14 item 5: modules and lessons in the bin for 30 days deleted for good, with their media.
    "courses-bin-purge-daily": {"task": "courses.bin_purge_all", "schedule": crontab(hour=5, minute=15)},
    # Expired API tokens are refused at once; this only keeps the tables small (issue 11 item 3).
    "api-tokens-expired-delete-daily": {"task": "mooc_platform.api_tokens_expired_delete_all",
                                        "schedule": crontab(hour=4, minute=45)},
}
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# --- E-mail -------------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="MOOC Platform <no-reply@localhost>")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)

# --- REST framework -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "mooc_platform.accounts.authentication.ExpiringTokenAuthentication",
        # `Authorization: Api-Key <key>`: scopes and the per-key rate limit (issue 17 item 4).
        "integrations.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "mooc_platform.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "mooc_platform.errors.api_exception_handler",
    # JSON bodies are limited like forms (DATA_UPLOAD_MAX_MEMORY_SIZE), in depth and in integer range.
    "DEFAULT_PARSER_CLASSES": [
        "mooc_platform.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {"login": "10/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MOOC Platform API",
    "DESCRIPTION": "Platform (operators) and tenant (customer) APIs. Errors: "
    '{"error": {"code", "message", "details"}}.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "mooc_platform.openapi.errors_document",
                           "mooc_platform.openapi.error_statuses_document", "integrations.openapi.webhooks_document",
                           "mooc_platform.openapi.tags_document", "mooc_platform.openapi.examples_document"],
    # Operations are grouped by resource: the tag is the first path segment after /api/v1/ (`courses`, `users`…).
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # Swagger UI and Redoc from drf-spectacular-sidecar's static files, never a CDN (issue 11 item 8).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set, so that the schema (and `check --deploy`, which builds it) warns of nothing.
    "ENUM_NAME_OVERRIDES": {
        "LanguageEnum": "mooc_platform.i18n.LANGUAGE_CODES",
        "LanguageNameEnum": "mooc_platform.i18n.LANGUAGES",
        "CourseStatusEnum": "courses.models.Course.Status",
        "LessonKindEnum": "courses.models.Lesson.Kind",
        "QuestionKindEnum": "courses.models.Question.Kind",
        "NotificationKindEnum": "courses.models.Notification.Kind",
        "ClaimKindEnum": "claims.models.Claim.Kind",
        "ClaimCategoryEnum": "claims.models.Claim.Category",
        "ClaimStatusEnum": "claims.models.Claim.Status",
    },
}

# --- Content-Security-Policy (django-csp; issue 11 item 8) ------------------------------------------
# Scripts, styles, fonts only from our own origin: no inline script or style, no `style=` attribute.
# Media (lesson videos, logos) and browser uploads go to the S3 endpoint (presigned URLs, SPEC R20).


def _s3_origins() -> list[str]:
    if AWS_S3_ENDPOINT_URL:
        parts = urlsplit(AWS_S3_ENDPOINT_URL)
        return [f"{parts.scheme}://{parts.netloc}"]
    return [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{AWS_S3_REGION_NAME}.amazonaws.com",
            f"https://s3.{AWS_S3_REGION_NAME}.amazonaws.com"]


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_s3_origins()],
        "media-src": ["'self'", *_s3_origins()],
        "connect-src": ["'self'", *_s3_origins()],
        "frame-src": ["'self'", *_s3_origins()],  # the preview of a PDF lesson (issue 14 item 3)
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# The host -> tenant lookup and the maintenance snapshot. Unset: each process's own
# memory (LocMemCache). CACHE_URL=redis://host:6379/3 shares them between processes (Django's RedisCache).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # LocMemCache keeps 300 entries by default: 1,000 tenants' host lookups would evict each other.
    CACHES["default"].setdefault("OPTIONS", {})["MAX_ENTRIES"] = env.int("LOCAL_CACHE_MAX_ENTRIES", default=50000)
# Counters every worker and process must share (failed sign-ins, the token endpoint's rate limit; issue 11
# item 2), never one process's memory: the cache CACHE_URL (or REDIS_URL) names when it is a shared one
# (Redis in production), else the database cache of the platform's PostgreSQL (mooc_platform.cache).
SHARED_CACHE_URL = env("CACHE_URL", default=env("REDIS_URL", default=""))
if SHARED_CACHE_URL and not SHARED_CACHE_URL.startswith(("locmemcache:", "dummycache:")):
    CACHES["shared"] = env.cache_url_config(SHARED_CACHE_URL)
else:
    CACHES["shared"] = {"BACKEND": "mooc_platform.cache.DatabaseCache", "LOCATION": "mooc_cache"}

# Logs and metrics (issue 16 item 6, mooc_platform/observability.py): every record names its tenant and
# request id; LOG_FORMAT=json for a log pipeline. METRICS_ENABLED serves /metrics on the platform host.
LOGGING = logging_config(log_format=env("LOG_FORMAT", default="plain"), level=env("LOG_LEVEL", default="INFO"))
METRICS_ENABLED = env.bool("METRICS_ENABLED", default=False)
METRICS_TOKEN = env("METRICS_TOKEN", default="")  # when set, /metrics asks for `Authorization: Bearer <token>`
METRICS_WORKER_PORT = env.int("METRICS_WORKER_PORT", default=9101)  # a Celery worker's own /metrics

# --- Invoicing (SPEC R4–R10) ----------------------------------------------------------------------
# The seller's identity printed on every quote and invoice (GCS preamble: MOOCit SAS).
INVOICING_SELLER = {
    "name": env("INVOICING_SELLER_NAME", default="MOOCit SAS"),
    "legal_form": env("INVOICING_SELLER_LEGAL_FORM", default="SAS au capital de 30 000,00 €"),
    "address": env("INVOICING_SELLER_ADDRESS", default="6 rue du vieux marché, 45000 Orléans"),
    "country": "FR",
    "registration": env("INVOICING_SELLER_REGISTRATION", default="RCS Orléans 810 156 497"),
    "siren": env("INVOICING_SELLER_SIREN", default="810156497"),
    "vat_number": env("INVOICING_SELLER_VAT_NUMBER", default="FR61810156497"),
    "iban": env("INVOICING_SELLER_IBAN", default="FR76 3000 6000 0112 3456 7890 189"),
    "email": env("INVOICING_SELLER_EMAIL", default="billing@moocit.example"),
}
# Legal notice and privacy notice of the platform host (SPEC R29, `/legal/`, `/privacy/`): the publisher is the
# invoices' seller (INVOICING_SELLER) plus these; the sub-processors list is shown as configured.
PLATFORM_LEGAL = {
    "director": env("PLATFORM_LEGAL_DIRECTOR", default="Claire Martin, Présidente"),
    "contact_email": env("PLATFORM_LEGAL_CONTACT_EMAIL", default="contact@moocit.example"),
    "privacy_email": env("PLATFORM_PRIVACY_EMAIL", default="privacy@moocit.example"),
    "host": env("PLATFORM_LEGAL_HOST", default="OVH SAS, 2 rue Kellermann, 59100 Roubaix, France"),
}
# The accessibility statement of every organisation's site (`/accessibility/`, RGAA, issue 13 item 7): the date
# of the last evaluation, the standard, the status it supports and where users write about a barrier.
ACCESSIBILITY = {
    "audit_date": date.fromisoformat(env("ACCESSIBILITY_AUDIT_DATE", default="2026-12-02")),
    "standard": "RGAA 4.1.2",
    "contact_email": env("ACCESSIBILITY_CONTACT_EMAIL", default="accessibilite@moocit.example"),
}
PLATFORM_SUBPROCESSORS = env.json("PLATFORM_SUBPROCESSORS", default=[
    {"name": "OVH SAS", "purpose": "Hosting: servers, database, object storage", "location": "France (EU)"},
    {"name": "Brevo (Sendinblue SAS)", "purpose": "Sending e-mails", "location": "France (EU)"},
])
# Right to erasure (SPEC R29): what the other apps keep in `public` about an erased user (or one who deleted
# their own account), anonymised in the same transaction (courses.services.privacy; courses imports none of them).
USER_ERASURE_HOOKS = ["mooc_platform.audit.audit_person_anonymise",
                      "tenants.services.privacy.tenant_exports_user_erased", "claims.services.claims_user_erased"]
# A deactivated user's account is anonymised this many days after its deactivation (SPEC R29).
# Business events (mooc_platform.events) go to these sinks after the commit: the outgoing webhooks, the xAPI
# statements to the customer's LRS and the grades sent back to LTI platforms (issue 17).
EVENT_SINKS = ["integrations.services.webhooks.webhook_events_receive",
               "integrations.services.xapi.xapi_events_receive", "lti.services.grades.lti_events_receive"]
# xAPI statements to a customer's LRS (issue 17 item 5): a 5XX or no answer is retried with backoff.
XAPI_TIMEOUT_SECONDS = env.float("XAPI_TIMEOUT_SECONDS", default=10.0)
XAPI_RETRY_BASE_SECONDS = env.float("XAPI_RETRY_BASE_SECONDS", default=30.0)
XAPI_RETRY_MAX_SECONDS = env.float("XAPI_RETRY_MAX_SECONDS", default=3600.0)
XAPI_RETRY_HOURS = env.int("XAPI_RETRY_HOURS", default=24)
# IMS Common Cartridge exports: a lesson's file or video up to this size travels in the cartridge; a larger one
# becomes a web link to the lesson.
CARTRIDGE_EMBED_MAX_BYTES = env.int("CARTRIDGE_EMBED_MAX_BYTES", default=200 * 1024 * 1024)
# Outgoing webhooks: HTTP timeout, exponential backoff (base × 2^(n-1), capped) for WEBHOOK_RETRY_HOURS, an
# endpoint failing for WEBHOOK_DISABLE_AFTER_HOURS is disabled. Plain HTTP to loopback only in DEBUG and tests.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
WEBHOOK_RETRY_MAX_SECONDS = env.float("WEBHOOK_RETRY_MAX_SECONDS", default=2 * 3600.0)
WEBHOOK_RETRY_HOURS = env.int("WEBHOOK_RETRY_HOURS", default=24)
WEBHOOK_DISABLE_AFTER_HOURS = env.int("WEBHOOK_DISABLE_AFTER_HOURS", default=24)
WEBHOOK_ALLOW_LOOPBACK_HTTP = env.bool("WEBHOOK_ALLOW_LOOPBACK_HTTP", default=False)
# LTI 1.3 tool (issue 17 item 2, lti/): the private keys are encrypted under this secret (default SECRET_KEY);
# scores are sent back with exponential backoff (base × 2^(n-1), capped at an hour) LTI_SCORE_MAX_RETRIES times;
# the platforms' addresses must be HTTPS unless LTI_ALLOW_HTTP (DEBUG and tests).
LTI_KEY_ENCRYPTION_SECRET = env("LTI_KEY_ENCRYPTION_SECRET", default="")
LTI_HTTP_TIMEOUT_SECONDS = env.float("LTI_HTTP_TIMEOUT_SECONDS", default=10.0)
LTI_SCORE_RETRY_BASE_SECONDS = env.float("LTI_SCORE_RETRY_BASE_SECONDS", default=30.0)
LTI_SCORE_MAX_RETRIES = env.int("LTI_SCORE_MAX_RETRIES", default=8)
LTI_ALLOW_HTTP = env.bool("LTI_ALLOW_HTTP", default=False)
PRIVACY_DEACTIVATED_USER_DAYS = env.int("PRIVACY_DEACTIVATED_USER_DAYS", default=365)
INVOICING_PAYMENT_TERMS_DAYS = env.int("INVOICING_PAYMENT_TERMS_DAYS", default=30)
# Annual late-payment interest rate, in percent (SPEC R10; Code de commerce L441-10).
INVOICING_LATE_INTEREST_ANNUAL_RATE = env("INVOICING_LATE_INTEREST_ANNUAL_RATE", default="12.15")
INVOICING_TERMS_VERSION = env("INVOICING_TERMS_VERSION", default="GCS-2026-01")
INVOICING_QUOTE_VALIDITY_DAYS = env.int("INVOICING_QUOTE_VALIDITY_DAYS", default=30)
# Shared secret of the payment provider's webhook (HMAC-SHA256 of the raw body). Empty = webhook refused.
INVOICING_WEBHOOK_SECRET = env("INVOICING_WEBHOOK_SECRET", default="")
# The account customers pay by bank transfer into, shown on their billing page with the invoice number to quote.
INVOICING_BANK_ACCOUNT = {
    "holder": env("INVOICING_BANK_HOLDER", default=INVOICING_SELLER["name"]),
    "iban": INVOICING_SELLER["iban"],
    "bic": env("INVOICING_BANK_BIC", default="BNPAFRPPXXX"),
    "bank": env("INVOICING_BANK_NAME", default="BNP Paribas, Orléans"),
}
# Online payment (invoicing.payments.providers): "" = none, customers pay by transfer and the billing page shows no
# "pay online" link; "fake" = the loopback checkout of invoicing.payments.fake (tests and demos, refused in
# production); or the dotted path of a provider class. The provider notifies the signed webhook above.
INVOICING_PAYMENT_PROVIDER = env("INVOICING_PAYMENT_PROVIDER", default="")
INVOICING_PAYMENT_PROVIDER_URL = env("INVOICING_PAYMENT_PROVIDER_URL", default="")  # the provider's checkout base URL
# Optional check of buyers' VAT numbers against VIES (the EU register) when a quote is created or edited:
# an answer "not registered" refuses the number; VIES down or slower than the timeout never blocks a quote.
INVOICING_VIES_CHECK = env.bool("INVOICING_VIES_CHECK", default=False)
INVOICING_VIES_URL = env("INVOICING_VIES_URL",
                         default="https://ec.europa.eu/taxation_customs/vies/rest-api/check-vat-number")
INVOICING_VIES_TIMEOUT_SECONDS = env.float("INVOICING_VIES_TIMEOUT_SECONDS", default=5.0)
# Billing, dunning, quote expiry and invoice delivery (SPEC R8, R10), what `run_billing` does. Idempotent
# and cheap when there is nothing to do, so it runs often: a suspension falls due at an exact time.
CELERY_BEAT_SCHEDULE["invoicing-run-billing"] = {"task": "invoicing.run_billing", "schedule": 15 * 60}
# Non-payers do not stay suspended forever (SPEC R27 — GCS art. 3–4, `001_…` §5.5): a tenant suspended for
# non-payment this many days is terminated for non-payment, after a last e-mail warning this many days before.
INVOICING_NON_PAYMENT_TERMINATION_DAYS = env.int("INVOICING_NON_PAYMENT_TERMINATION_DAYS", default=60)
INVOICING_NON_PAYMENT_WARNING_DAYS = env.int("INVOICING_NON_PAYMENT_WARNING_DAYS", default=15)
# The contract's deadlines that are not billing (SPEC R24, R27): terminations of non-payers and their warning,
# plan retirements' export reminders and ends of access; what `run_contract_deadlines` does. Exactly-once.
CELERY_BEAT_SCHEDULE["invoicing-contract-deadlines"] = {"task": "invoicing.run_contract_deadlines",
                                                        "schedule": 15 * 60}
# The monthly availability the platform commits to, in percent (SPEC R26 — `001_…` §14: at least 99 %).
MAINTENANCE_AVAILABILITY_TARGET = env("MAINTENANCE_AVAILABILITY_TARGET", default="99")
# Optional (SPEC R26): beat probes this URL (the platform's own /healthz, as customers reach it) every minute and
# opens an incident after this many failures in a row; the next success closes it. Empty = no probe.
MAINTENANCE_HEALTH_PROBE_URL = env("MAINTENANCE_HEALTH_PROBE_URL", default="")
MAINTENANCE_HEALTH_PROBE_FAILURES = env.int("MAINTENANCE_HEALTH_PROBE_FAILURES", default=3)
MAINTENANCE_HEALTH_PROBE_TIMEOUT_SECONDS = env.float("MAINTENANCE_HEALTH_PROBE_TIMEOUT_SECONDS", default=5.0)
CELERY_BEAT_SCHEDULE["maintenance-health-probe"] = {"task": "maintenance.health_probe_run", "schedule": 60.0}
# SPEC R23 — renewal notices this many days (Paris dates) before each term ends; each sent once per term. Hourly:
# cheap when there is nothing to send, and a notice falls due at Paris midnight whatever the DST offset.
INVOICING_RENEWAL_NOTICE_DAYS = env.int("INVOICING_RENEWAL_NOTICE_DAYS", default=60)
CELERY_BEAT_SCHEDULE["invoicing-renewal-notices"] = {"task": "invoicing.renewal_notices_send", "schedule": 60 * 60}
