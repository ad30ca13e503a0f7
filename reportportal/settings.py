"""Settings for the rule-of-law report portal, read from the environment.

Every value has a default that works for the local demo (SQLite file, DEBUG on); production sets
SECRET_KEY, DEBUG=False, ALLOWED_HOSTS and DATABASE_URL.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.conf.locale.zh_Hans import formats as zh_hans_formats
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str) -> int:
    return int(os.getenv(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


def required(name: str, why: str) -> str:
    """A value production cannot start without: a clear refusal instead of pages answering 500."""
    value = os.getenv(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"生产模式（DEBUG=False）必须设置 {name}：{why}。"
            f" {name} must be set when DEBUG is off (see deploy/reportportal.env.example)."
        )
    return value


DEBUG = envbool("DEBUG", "True")
if DEBUG:
    # A known key lets anyone forge sessions, so only the local demo (DEBUG on) may fall back to one.
    SECRET_KEY = os.getenv("SECRET_KEY", "") or "insecure-demo-key-set-SECRET_KEY-in-production"
    ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
else:
    SECRET_KEY = required("SECRET_KEY", "50 个以上随机字符")
    ALLOWED_HOSTS = envlist(
        "ALLOWED_HOSTS", required("ALLOWED_HOSTS", "访问本系统用的域名，逗号分隔")
    )
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # The portal's own apps, each depending only on those above it (README: Layout).
    "org",
    "indicators",
    "reports",
    "exports",
]
# Demo data, synthetic data, load test and benchmarks (load_demo, benchmark, loadtest …): on for
# the demo and development, off in production, where no product module needs them.
DEVTOOLS = envbool("DEVTOOLS", str(DEBUG))
if DEVTOOLS:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Static files are answered above; every page below is private unless it says otherwise.
    "reportportal.middleware.PrivateByDefaultMiddleware",
    # Before anything parses the body (CSRF reads the form).
    "reportportal.middleware.CompleteBodyMiddleware",
    "reportportal.memo.RequestMemoMiddleware",
    "reportportal.middleware.QueryStringMiddleware",
    "reportportal.middleware.FriendlyErrorsMiddleware",
    # django-csp's, building the settings' policy once (reportportal.security).
    "reportportal.security.ContentSecurityPolicyMiddleware",
    "reportportal.security.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # One language (LANGUAGES): nothing to negotiate per request.
    "reportportal.middleware.OneLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "reportportal.middleware.ResolvedUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "org.audit.AuditMiddleware",
    "org.middleware.IdleTimeoutMiddleware",
    "org.middleware.PasswordChangeRequiredMiddleware",
    "org.second_factor.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out log-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "reportportal.urls"
WSGI_APPLICATION = "reportportal.wsgi.application"

TEMPLATES = [
    {
        # Django's, rendering numbers and dates without per-value localisation (one language).
        "BACKEND": "reportportal.templating.PortalTemplates",
        "NAME": "django",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                # The CSRF token masked once a request (Django's builtin processor would mask it again).
                "reportportal.fragments.csrf",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "org.context_processors.membership",
                "reports.context_processors.notices",
            ],
            # Django's `date` filter, quicker on the formats the pages use.
            "builtins": ["reportportal.dates"],
        },
    },
]

VAR_DIR = Path(os.getenv("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.getenv(
        "TEST_DATABASE_NAME", "test_" + DATABASES["default"]["NAME"]
    )
    # psycopg2 with the statements a connection runs again prepared on it (reportportal.postgres):
    # PostgreSQL plans each once instead of on every request. Off for PgBouncer in transaction
    # mode, which cannot keep a prepared statement.
    if envbool("DB_PREPARE", "True"):
        DATABASES["default"]["ENGINE"] = "reportportal.postgres"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# 等保 2.0 level 3: at least 8 characters of 3 kinds, not the user name, not one of the last 5.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": envint("PASSWORD_MIN_LENGTH", "8")},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "org.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "org.passwords.NotUsernameValidator"},
    {"NAME": "org.passwords.HistoryValidator", "OPTIONS": {"count": 5}},
]
# A password older than this many days must be changed at the next log-in (0: never).
PASSWORD_MAX_AGE_DAYS = envint("PASSWORD_MAX_AGE_DAYS", "90")
# Signed out after this many seconds without a request (a warning comes 5 minutes before).
SESSION_IDLE_SECONDS = envint("SESSION_IDLE_SECONDS", str(30 * 60))
# A second log-in factor (TOTP authenticator app, with recovery codes) for reviewers and
# administrators.
SECOND_FACTOR_REQUIRED = envbool("SECOND_FACTOR_REQUIRED", "False")
OTP_TOTP_ISSUER = "法治政府建设年度报告系统"
# Accounts not used for this many days are disabled by a daily task (0: never).
ACCOUNT_INACTIVE_DAYS = envint("ACCOUNT_INACTIVE_DAYS", "180")
LOGIN_URL = "login"
CSRF_FAILURE_VIEW = "reportportal.errors.csrf_failure"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes first, so a locked-out user name is refused before its password is even checked;
# then Django's ModelBackend, which also reads the user's role and place and their unread
# notices with the user (reportportal.auth, org.backends). Changing this list signs out the
# sessions of a backend no longer in it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "reportportal.auth.PortalBackend",
]
# Lock-out after repeated failed log-ins. Keyed on user name *and* address: the clerks of a county
# often share one NAT address, so locking the address would lock them all out, while the pair
# still stops guessing one account's password. Admins unlock in 系统管理 → Axes → Access attempts
# (delete the row) or with `manage.py axes_reset_username <name>`.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
# Minutes from the last failure; 0 = locked until an admin unlocks.
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", "30")) or None
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts during a lock-out do not prolong it, so the unlock time shown on the page holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "reportportal.security.lockout_response"
AXES_COOLOFF_MESSAGE = "登录失败次数过多，账号已被暂时锁定，请稍后再试或联系系统管理员解锁。"
AXES_PERMALOCK_MESSAGE = "登录失败次数过多，账号已被锁定，请联系系统管理员解锁。"
# Behind a reverse proxy every request comes from the proxy: set AXES_PROXY_COUNT to the number of
# proxies so the client address is read from X-Forwarded-For (only the proxies must set it).
if proxies := envint("AXES_PROXY_COUNT", "0"):
    AXES_IPWARE_PROXY_COUNT = proxies
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Templates print values without per-value localisation (reportportal.templating): a bare date
# takes these formats, the zh-hans locale's own.
DATE_FORMAT = zh_hans_formats.DATE_FORMAT
DATETIME_FORMAT = zh_hans_formats.DATETIME_FORMAT
TIME_FORMAT = zh_hans_formats.TIME_FORMAT

STATIC_URL = "static/"
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap comes from npm (package-lock.json), never copied into the repo.
    ("bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Generated files (summary PDFs). Point several app servers and workers at one shared folder.
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
# Behind nginx: generated files are answered by nginx after the portal's permission check
# (X-Accel-Redirect to this internal location, which maps to MEDIA_ROOT; deploy/nginx). Empty: the
# portal streams them itself (the demo, or a server without nginx).
PRIVATE_FILES_ACCEL_PREFIX = os.getenv("PRIVATE_FILES_ACCEL_PREFIX", "").rstrip("/")

# The cache is shared by every app server (never one per process): Redis when CACHE_URL is set;
# the demo keeps it in memory.
CACHE_URL = os.getenv("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "reportportal.cache.PortalRedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions live in the database, so any app server answers any user; with the shared cache each
# request reads its session from Redis and the database only on a miss (one query less a page).
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if CACHE_URL
    else "django.contrib.sessions.backends.db"
)

# Background jobs: Celery on Redis (e.g. redis://127.0.0.1:6379/0). Without a broker (the embedded
# demo) a job runs in-process, right after the request that asked for it commits.
# Production needs the broker: without one, a long job would run inside the request.
CELERY_BROKER_URL = (
    os.getenv("CELERY_BROKER_URL", "")
    if DEBUG
    else required("CELERY_BROKER_URL", "任务队列（Redis）地址，例如 redis://127.0.0.1:6379/0")
)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
# Long jobs (PDFs, summaries, reading an upload, the copied-passage check) have their own queue, so
# a worker for them can run on another machine and a burst of them never delays the reminders.
CELERY_TASK_DEFAULT_QUEUE = "celery"
LONG_JOBS_QUEUE = "long"
CELERY_TASK_ROUTES = {
    name: {"queue": LONG_JOBS_QUEUE}
    for name in (
        "reports.export_run",
        "exports.report_pdf_prepare",
        "reports.import_run",
        "reports.similarities_run",
    )
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Shanghai"
# Celery beat (`celery -A reportportal beat`): the counties' scheduled reminders, every morning.
CELERY_BEAT_SCHEDULE = {
    "scheduled-reminders": {
        "task": "reports.reminders_send_due",
        "schedule": crontab(
            hour=envint("REMINDER_HOUR", "8"), minute=envint("REMINDER_MINUTE", "30")
        ),
    },
    # 等保: the audit log's retention, and dormant accounts disabled.
    "audit-retention": {"task": "org.audit_purge", "schedule": crontab(hour=3, minute=10)},
    "dormant-accounts": {
        "task": "org.accounts_disable_unused",
        "schedule": crontab(hour=3, minute=20),
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# HTTPS: on by default in production (DEBUG off). An intranet served over plain http sets
# USE_HTTPS=False, which turns off the redirect, the Secure cookies and HSTS (each can also be set
# on its own); the demo and the tests (DEBUG on) run over http.
USE_HTTPS = envbool("USE_HTTPS", str(not DEBUG))
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", str(USE_HTTPS))
# TLS ended at a reverse proxy: trust its X-Forwarded-Proto, or the redirect would loop.
if envbool("SECURE_PROXY_SSL", "False"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", str(USE_HTTPS))
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", str(USE_HTTPS))
# A year, with sub-domains and preload, as `check --deploy` asks; a host that may go back to http
# starts with a few minutes (SECURE_HSTS_SECONDS=300), since browsers remember the header.
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000" if USE_HTTPS else "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "True")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "True")
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie: htmx gets the token from the page (hx-headers on <body>).
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(8 * 3600))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features the portal never uses, refused to every script (reportportal.security).
PERMISSIONS_POLICY_DENY = [
    "accelerometer",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "payment",
    "usb",
]

# Content Security Policy (django-csp 4): scripts and styles only from our own static files, so
# text a user typed can never run as script. Templates therefore carry no inline <script>, no
# on*= handlers and no style="" attributes (portal.js sets the one computed width, the export
# progress bar); htmx's own inline indicator style is switched off in base.html's htmx-config.
# img-src allows data: for Bootstrap's built-in SVG icons; the charts are inline <svg> markup.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # The one inline style in a third-party template, simple_history's object_history_list.html
        # ('border-top: 0'), allowed by its hash rather than opening style-src to every attribute.
        "style-src-attr": [
            "'unsafe-hashes'",
            "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='",
        ],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Uploads. Form fields without files (the report text) may total DATA_UPLOAD_MAX_MEMORY_SIZE;
# files above FILE_UPLOAD_MAX_MEMORY_SIZE are spooled to disk. Neither caps a file's size, so the
# document import form (.docx/.txt) checks REPORT_UPLOAD_MAX_BYTES itself, and the reverse proxy
# should cap the whole body too (nginx: client_max_body_size 6m).
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440))
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("FILE_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440))
REPORT_UPLOAD_MAX_BYTES = envint("REPORT_UPLOAD_MAX_BYTES", str(5 * 1024 * 1024))
# The largest forms, the report (five parts, 17 figures) and a county's bulk approval list, stay
# far below 1,000 fields; the import form sends one file.
DATA_UPLOAD_MAX_NUMBER_FIELDS = envint("DATA_UPLOAD_MAX_NUMBER_FIELDS", "1000")
DATA_UPLOAD_MAX_NUMBER_FILES = envint("DATA_UPLOAD_MAX_NUMBER_FILES", "5")
# The largest body any page takes (a document upload and its form); the reverse proxy should cap
# bodies at about this size too.
# A report part's length (a long real report is 20,000 characters), and how many combining marks
# (accents) may follow one character: beyond, a save is refused with a message at the field.
REPORT_PART_MAX_CHARS = envint("REPORT_PART_MAX_CHARS", "100000")
TEXT_MAX_COMBINING_RUN = envint("TEXT_MAX_COMBINING_RUN", "4")
# The longest text an import reads (a document's text or pasted text): a whole real report is
# 5,000–40,000 characters.
REPORT_IMPORT_MAX_CHARS = envint("REPORT_IMPORT_MAX_CHARS", "200000")
# An import is read inside the request up to this much to parse (a .docx's document part, a
# .txt) or this many pasted characters (about 0.2 s of reading); beyond, by the task queue.
IMPORT_INLINE_MAX_BYTES = envint("IMPORT_INLINE_MAX_BYTES", str(256 * 1024))
IMPORT_INLINE_MAX_CHARS = envint("IMPORT_INLINE_MAX_CHARS", "50000")
# A Word file's document part, decompressed, is read up to this size (a 40-page report is ~2 MB).
REPORT_DOCX_MAX_XML_BYTES = envint("REPORT_DOCX_MAX_XML_BYTES", str(20 * 1024 * 1024))
# A report whose parts hold more characters than this gets its PDF from the task queue (a long
# report takes seconds to lay out); shorter ones are rendered in the request. Either way a PDF is
# rendered once per version of the report and then served from storage.
REPORT_PDF_INLINE_MAX_CHARS = envint("REPORT_PDF_INLINE_MAX_CHARS", "30000")
# The security audit log is kept this many days (never fewer than 180: the database refuses to
# delete younger rows); a daily task removes older ones.
AUDIT_RETENTION_DAYS = max(envint("AUDIT_RETENTION_DAYS", "180"), 180)
# How long browsers and proxies may keep a public page (published reports) for anonymous readers.
PUBLIC_CACHE_SECONDS = envint("PUBLIC_CACHE_SECONDS", "300")
# 佐证材料 (evidence): PDF, JPEG, PNG, .docx, .xlsx, each at most this size; at most this many per
# figure or part, and per report.
EVIDENCE_MAX_BYTES = envint("EVIDENCE_MAX_BYTES", str(5 * 1024 * 1024))
EVIDENCE_MAX_PER_TARGET = envint("EVIDENCE_MAX_PER_TARGET", "5")
EVIDENCE_MAX_PER_REPORT = envint("EVIDENCE_MAX_PER_REPORT", "40")
REQUEST_BODY_MAX_BYTES = envint(
    "REQUEST_BODY_MAX_BYTES",
    str(max(REPORT_UPLOAD_MAX_BYTES, EVIDENCE_MAX_BYTES) + DATA_UPLOAD_MAX_MEMORY_SIZE),
)

# Console by default (the demo prints e-mails); SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.getenv("EMAIL_HOST", "")
EMAIL_BACKEND = os.getenv(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "False")
# Base address put into e-mail links.
PORTAL_URL = os.getenv("PORTAL_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "法治政府建设年度报告系统 <noreply@localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
}
