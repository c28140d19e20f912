"""The one settings module of the P3DN Portal. Every value comes from the environment;
`.env.example` lists them all. DEBUG is off unless set."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from xstatic.pkg import bootstrap as xstatic_bootstrap

from p3dn_portal.lib.env import (
    development_key,
    env_bool,
    env_int,
    env_list,
    env_str,
    private_storage_from_url,
    read_secret_file,
    redis_url_next_database,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

# SECRET_KEY, or SECRET_KEY_FILE naming a file that holds it (docker compose generates one).
SECRET_KEY = env_str("SECRET_KEY") or read_secret_file(env_str("SECRET_KEY_FILE"))
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the portal refuses to start without it: "
            "set SECRET_KEY to a long random string (see .env.example), or set DEBUG=1 "
            "for local development."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. With DEBUG off the portal refuses to start without it: "
        "set ALLOWED_HOSTS to the comma-separated host names the portal is served under "
        "(see .env.example)."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "accounts.apps.PortalAdminConfig",  # django.contrib.admin behind the two-factor sign-in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "formtools",
    "simple_history",
    "django_otp",
    "accounts.apps.TOTPConfig",  # django_otp.plugins.otp_totp, with names an admin reads
    "accounts.apps.AxesConfig",  # axes, likewise
    "accounts",
    "vendors",
    "procurement",
    "contracts",  # after the contract: deliveries, BAST, rating, payments
    "matching",
    "dashboards",
    "opendata",
    "freshness",
    "audit",
    "seeding",  # demo and bench data: above every app, imported by none
    "p3dn_portal",  # operations commands (backup, restore)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Outside everything that may query: a database outage is a 503 page, not a 500.
    "p3dn_portal.middleware.database_unavailable",
    # Before anything reads the body (CSRF reads POST): an oversized request is refused unread.
    "p3dn_portal.lib.request_limits.request_size_limit",
    "p3dn_portal.lib.request_limits.AdminParametersChecked",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "p3dn_portal.middleware.indonesian_first",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "p3dn_portal.lib.fragments.csrf_placeholders",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.OTPMiddleware",
    "accounts.middleware.admins_verified",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "p3dn_portal.urls"
WSGI_APPLICATION = "p3dn_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "p3dn_portal.context_processors.portal",
                "accounts.context_processors.unread_notifications",
            ],
            "libraries": {"p3dn": "p3dn_portal.templatetags.p3dn"},
        },
    },
]

# Database: DATABASE_URL, e.g. postgres://user:password@host:5432/name. `make run` and
# `make test` start an embedded PostgreSQL and set it when it is missing.
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Set it to a PostgreSQL URL "
        "(postgres://user:password@host:5432/name), or start the portal with `make run`, "
        "which provides an embedded PostgreSQL."
    )
# Persistent connections: on this hardware a page without them serves about 4x fewer
# requests per second. Health checks drop connections the server closed meanwhile.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Behind PgBouncer in transaction mode, server-side cursors must be off (see the README).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DISABLE_SERVER_SIDE_CURSORS", False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
# The cache (sessions, and figures kept until their data changes) in its own Redis database:
# by default the one after REDIS_URL's (db 0 -> db 1). Redis being down is a cache miss,
# never an error page.
CACHE_URL = env_str("CACHE_URL", redis_url_next_database(REDIS_URL))
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "p3dn"),
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        },
    }
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# Sessions are read from Redis and written through to PostgreSQL, so a Redis outage or
# flush logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out email and address before any password is
# checked. Sessions name EmailBackend (login() records the backend that authenticated), so
# the user of every request still comes with its membership joined.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.EmailBackend"]
# Argon2id first (accounts/hashers.py); PBKDF2 hashes saved before it still verify and are
# rehashed with Argon2 at the next login.
PASSWORD_HASHERS = [
    "accounts.hashers.PortalArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "landing"
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60 * 24)

# Bahasa Indonesia first; source strings are written in Indonesian and translated to English.
LANGUAGE_CODE = "id"
# Each language named in itself, so that a reader of either finds theirs in the switcher.
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "p3dn_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
# One date format and one date-time format per language (p3dn_portal/formats/<lang>/).
FORMAT_MODULE_PATH = ["p3dn_portal.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", xstatic_bootstrap.BASE_DIR),
]
# In development WhiteNoise serves straight from the finders; in production from STATIC_ROOT,
# filled by collectstatic (the Dockerfile runs it).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Where `manage.py backup` writes (docker compose: the `backups` volume); never beside the
# sealing keys.
BACKUP_ROOT = Path(env_str("BACKUP_ROOT", str(BASE_DIR / "backups")))
# Uploads (certificates, photos) are private: no URL serves them; views check who asks.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
# A whole request: ten photos of UPLOAD_MAX_BYTES at once, and the form around them.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 10 * UPLOAD_MAX_BYTES + 1024 * 1024)
# Form fields without the files; a package with its 200 line items (6 fields each) fits.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1500
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# Uploads above this go to a temporary file while they are checked, not to memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # MEDIA_ROOT/private, or with STORAGE_URL an S3-compatible bucket that every web machine
    # shares (README, "Uploads shared by web machines").
    "private": private_storage_from_url(
        env_str("STORAGE_URL", ""),
        folder=MEDIA_ROOT / "private",
        access_key=env_str("STORAGE_ACCESS_KEY_ID")
        or read_secret_file(env_str("STORAGE_ACCESS_KEY_ID_FILE")),
        secret_key=env_str("STORAGE_SECRET_ACCESS_KEY")
        or read_secret_file(env_str("STORAGE_SECRET_ACCESS_KEY_FILE")),
    ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Mail: the console in development; SMTP otherwise. Sent by Celery (accounts.tasks).
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "p3dn_portal.lib.mail.OneLineConsoleEmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "P3DN Portal <noreply@p3dn.jakarta.go.id>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
ADMINS = [("Admin", a) for a in env_list("ADMIN_EMAILS")]
# The portal's address as users reach it: links in mail sent by background jobs.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Open data: the OCDS ocid prefix ("ocds-" + a registered six-character code + "-").
OCDS_PREFIX = env_str("OCDS_PREFIX", "ocds-p3dnjk-")

# Security. Production defaults are strict; a deployment behind a TLS-terminating proxy
# sets SECURE_PROXY_SSL_HEADER=1.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load balancers probe /healthz over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# A session lasts a working day from sign-in (it is not renewed by each request, which would
# write the session every time); an admin's, which can change everything, four hours from
# the authenticator code.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 10 * 60 * 60)
ADMIN_SESSION_AGE = env_int("ADMIN_SESSION_AGE", 4 * 60 * 60)

# Login throttling (django-axes): five wrong passwords for one email from one address lock
# that pair out for 15 minutes; a successful login clears the count.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field (the email)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.login_locked_out"
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip"
AXES_USERNAME_CALLABLE = "accounts.security.login_username"
# Behind the reverse proxy REMOTE_ADDR is the proxy: the client is the address that many
# proxies from the right of X-Forwarded-For (default: 1 with SECURE_PROXY_SSL_HEADER, else 0).
TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT", 1 if env_bool("SECURE_PROXY_SSL_HEADER", False) else 0
)

# Two-factor sign-in for admins (django-otp, TOTP). The issuer names the portal in the
# authenticator app; the device of a verified session is looked up in the cache.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "P3DN Portal")
OTP_DEVICE_CACHE_SECONDS = 5 * 60
# An authenticator's key and QR code are never shown in Django admin, not even to admins who
# may view (and delete, to reset) a colleague's device: whoever reads them holds the factor.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Content-Security-Policy (django-csp): no inline script or style, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Celery: Redis as broker and result store, JSON only, jobs acknowledged after they finish
# so that a worker lost mid-job hands it to another (jobs are written to be idempotent).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# The pool that notices a pool process killed mid-job and requeues the job at once (with the
# two settings above); tests/faults/test_worker_lost.py kills one to prove it.
CELERY_WORKER_POOL = "prefork"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 15 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 14 * 60)
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message taken by a worker that then vanished without a word (killed with its pool, the
# machine lost) goes back to the queue after visibility_timeout; longer than the longest job.
# (A pool process killed alone is noticed by its worker, which requeues the job at once:
# REJECT_ON_WORKER_LOST.) Socket timeouts: a broker that stops answering fails a publish in
# seconds instead of holding a web request (the outbox and the requeue jobs catch up).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 60 * 60),
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "sessions-clear": {
        "task": "accounts.tasks.sessions_clear",
        "schedule": crontab(hour=2, minute=15),
    },
    # Mail kept in the outbox while the broker was down, or whose sending failed.
    "outgoing-mail-flush": {
        "task": "accounts.tasks.outgoing_mail_flush",
        "schedule": 60.0,
    },
    "outgoing-mail-purge": {
        "task": "accounts.tasks.outgoing_mail_purge",
        "schedule": crontab(hour=2, minute=30),
    },
    # Just after midnight in Jakarta: a certificate valid "until" a date is valid all that day.
    "certificates-expire": {
        "task": "vendors.tasks.certificates_expire",
        "schedule": crontab(hour=0, minute=5),
    },
    # Deadlines are enforced by the bid service itself; this opens the bids on time.
    "packages-close-due": {
        "task": "procurement.tasks.packages_close_due",
        "schedule": 60.0,
    },
    # Evaluations requested while the broker was down, or whose worker died, go back.
    "evaluations-requeue": {
        "task": "procurement.tasks.evaluations_requeue",
        "schedule": 120.0,
    },
    "matching-schedule-runs-requeue": {
        "task": "matching.tasks.schedule_runs_requeue",
        "schedule": 120.0,
    },
    "matching-meetings-expire": {
        "task": "matching.tasks.meetings_expire",
        "schedule": 300.0,
    },
    # A meeting 5 minutes into its slot without both sides at the door is a no-show.
    "matching-no-shows-mark": {
        "task": "matching.tasks.no_shows_mark",
        "schedule": 60.0,
    },
    "certificate-expiry-reminders-send": {
        "task": "vendors.tasks.certificate_expiry_reminders_send",
        "schedule": crontab(hour=7, minute=0),
    },
}

# Sealed bids: comma-separated Fernet keys, or BID_SEALING_KEYS_FILE naming a file that holds
# them; the first seals, all open (rotation: `manage.py sealing_rotate`). Their own secret,
# never derived from SECRET_KEY: rotating that after a leak must not lose a round of bids.
# With DEBUG on, a development key generated once into .bid_sealing_key.
BID_SEALING_KEYS = env_list("BID_SEALING_KEYS") or [
    key.strip()
    for key in (read_secret_file(env_str("BID_SEALING_KEYS_FILE")) or "").split(",")
    if key.strip()
]
if not BID_SEALING_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "BID_SEALING_KEYS is not set. With DEBUG off the portal refuses to start without "
            "the keys that seal bids: set BID_SEALING_KEYS (or BID_SEALING_KEYS_FILE) to the "
            "keys kept by the key holders (see the README, 'Sealing keys'), or generate the "
            'first one: python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())".'
        )
    BID_SEALING_KEYS = [
        development_key(BASE_DIR / ".bid_sealing_key", lambda: Fernet.generate_key().decode())
    ]
try:
    for _key in BID_SEALING_KEYS:
        Fernet(_key)
except ValueError:
    raise ImproperlyConfigured(
        "BID_SEALING_KEYS must be comma-separated Fernet keys (44 characters of URL-safe "
        "base64 each); one of them is not."
    ) from None

# History is for reading: a revert would write an old status back past the services.
SIMPLE_HISTORY_REVERT_DISABLED = True
# A change reason quotes the admin's rejection reason, which can be long.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Form widgets render through Jinja2 (Django's own widget templates for it): a select of
# forty OPDs costs half as much as through the Django template engine.
FORM_RENDERER = "p3dn_portal.lib.form_renderer.FastWidgets"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Its start-up line ("AXES: BEGIN version ...") in every process says nothing useful.
        "axes.apps": {"level": "WARNING"},
    },
}
