"""Settings for Marketplace Bulk Editor, read from environment variables.

With no environment at all the app runs for development: SQLite under var/, an
in-process cache, DEBUG on. Production sets DEBUG=0 and must then provide
SECRET_KEY and ALLOWED_HOSTS; the security switches follow DEBUG unless set.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from marketplace.env import env_bool, env_int, env_json, env_list, env_required, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-never-used-when-DEBUG-is-off")
else:
    SECRET_KEY = env_required("SECRET_KEY")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "template_partials",
    "import_export",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "audit",
    "listings",
    "listing_templates",
    "imports",
    "ocr",
    "exports",
    "insights",
    "feeds",
    "photos",
    "flask_api",
    # The project package itself: connects the task hooks (marketplace/apps.py).
    "marketplace.apps.MarketplaceConfig",
    "django_prometheus",
]

MIDDLEWARE = [
    # First and last: django-prometheus counts and times every request.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # The request id and the one log line per request (marketplace/logs.py).
    "marketplace.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's, except that an /api/ path missing its slash gets a JSON 404 naming
    # the right path instead of a redirect that drops a POST body.
    "marketplace.middleware.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "marketplace.middleware.PrivateCacheMiddleware",
    # After authentication, so a session user is counted as that user.
    "marketplace.ratelimits.RateLimitMiddleware",
    # NUL in any query or form parameter is a 400 naming it, before any view runs.
    "marketplace.middleware.RequestInputMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Signed-out htmx requests get 401 + HX-Redirect, not the log-in page in a cell.
    "marketplace.htmx.HtmxLoginRedirectMiddleware",
    "audit.middleware.AuditContextMiddleware",
    # Last, as django-axes asks, so it sees the outcome of every authentication.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"
ASGI_APPLICATION = "marketplace.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web server write without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "mbe"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
                # A Redis outage must not take pages down: cache reads miss, writes
                # are dropped, and the failure is logged (see LOGGING).
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "marketplace.redis"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Accounts and passwords ------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "listings:grid"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Hashes brought from older bcrypt systems verify and are upgraded on login.
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.BCryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.EmailBackend",
]

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "email"
AXES_RESET_ON_SUCCESS = True
# Admin and HTML forms post "username", the API posts "email": one normalised name.
AXES_USERNAME_CALLABLE = "accounts.lockout.username_from_credentials"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# A lock lasts the cool-off from the failure that started it, so the retry time shown
# is the real one (and guessing during the lock cannot extend it).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Lockout is per account by design (issue: "that account is locked"); per-IP abuse
# is throttled by the rate limits instead, so axes' advice to add the IP is silenced.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# --- API ---------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "marketplace.openapi.AutoSchema",
    # Ours refuse fields the operation does not declare (see marketplace/parsers.py).
    # DRF's parsers with a JSON nesting limit, the NUL/surrogate check and unknown
    # fields refused (marketplace/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "marketplace.parsers.JSONParser",
        "marketplace.parsers.FormParser",
        "marketplace.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "marketplace.api.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": SECRET_KEY,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Marketplace Bulk Editor API",
    "DESCRIPTION": "Prepare, bulk-edit, import and export marketplace listings.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "marketplace.openapi.add_common_error_responses",
    ],
    # Several models have a "status" or "mode"; name each choice set after its owner.
    "ENUM_NAME_OVERRIDES": {
        "ImportModeEnum": "imports.models.Import.Mode",
        "ImportStatusEnum": "imports.models.Import.Status",
        "TemplateApplyModeEnum": "listing_templates.models.ApplyMode",
        "ScanStatusEnum": "ocr.models.Scan.Status",
        "FindReplaceFieldEnum": "listings.services.find_replace.FIND_REPLACE_FIELDS",
    },
    # Swagger UI from our own static files, not a CDN (like htmx).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# --- Limits (rates are django-ratelimit strings) ---------------------------
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", default=True)
RATE_LIMIT_DEFAULT = env_str("RATE_LIMIT_DEFAULT", "100/m")
RATE_LIMIT_UPLOADS = env_str("RATE_LIMIT_UPLOADS", "10/m")
RATE_LIMIT_EXPORTS = env_str("RATE_LIMIT_EXPORTS", "50/h")
# Fetches of one catalog feed (marketplaces fetch hourly or daily).
RATE_LIMIT_FEEDS = env_str("RATE_LIMIT_FEEDS", "30/h")
RATE_LIMIT_ACCOUNTS = env_str("RATE_LIMIT_ACCOUNTS", "20/m")
# Redis down: serve and log rather than refuse everything (see marketplace/ratelimits.py).
RATELIMIT_FAIL_OPEN = env_bool("RATELIMIT_FAIL_OPEN", default=True)
# Listings chosen one by one (ticked in the grid, ``ids`` in the API, an export of the
# selection); more are chosen by filter ("all matching").
SELECTION_MAX_IDS = env_int("SELECTION_MAX_IDS", 10_000)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 50 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 200)
# xlsx, xls and ods are parsed in a child process with this address space and CPU time.
IMPORT_READER_MEMORY_MB = env_int("IMPORT_READER_MEMORY_MB", 1024)
IMPORT_READER_SECONDS = env_int("IMPORT_READER_SECONDS", 60)
# Zip-based spreadsheets (xlsx, ods) are refused past this unpacked size or ratio.
IMPORT_MAX_UNZIPPED_BYTES = env_int("IMPORT_MAX_UNZIPPED_BYTES", 500 * 1024 * 1024)
IMPORT_MAX_ZIP_RATIO = env_int("IMPORT_MAX_ZIP_RATIO", 200)
# Imports with more rows than this commit in a background task with a progress bar.
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 5000)
OCR_MAX_BYTES = env_int("OCR_MAX_BYTES", 20 * 1024 * 1024)
OCR_MAX_PAGES = env_int("OCR_MAX_PAGES", 50)
OCR_PAGE_TIMEOUT_SECONDS = env_int("OCR_PAGE_TIMEOUT_SECONDS", 120)
# Threads one PP-OCR reading uses; a worker per core wants 1.
OCR_PPOCR_THREADS = env_int("OCR_PPOCR_THREADS", 1)
# Listing photos: bytes and pixels of one photo (checked from its header, before its
# pixels are decoded), and a bulk upload's files, bytes and unpacked zip size.
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 15 * 1024 * 1024)
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 50_000_000)
PHOTO_BULK_MAX_FILES = env_int("PHOTO_BULK_MAX_FILES", 500)
PHOTO_BULK_MAX_BYTES = env_int("PHOTO_BULK_MAX_BYTES", 200 * 1024 * 1024)
PHOTO_BULK_MAX_UNZIPPED_BYTES = env_int("PHOTO_BULK_MAX_UNZIPPED_BYTES", 500 * 1024 * 1024)
PHOTO_BULK_MAX_ZIP_RATIO = env_int("PHOTO_BULK_MAX_ZIP_RATIO", 50)
# Find & replace: the longest find and replacement, and the memory RE2 may give one
# compiled pattern (a bigger pattern is refused as too large).
FIND_REPLACE_MAX_FIND = env_int("FIND_REPLACE_MAX_FIND", 1000)
FIND_REPLACE_MAX_REPLACE = env_int("FIND_REPLACE_MAX_REPLACE", 5000)
FIND_REPLACE_MAX_PATTERN_MEMORY = env_int("FIND_REPLACE_MAX_PATTERN_MEMORY", 1024 * 1024)
# JSON bodies: the deepest nesting accepted (the API's own shapes need 4).
API_JSON_MAX_DEPTH = env_int("API_JSON_MAX_DEPTH", 32)
# With nginx in front: the internal location that maps to MEDIA_ROOT (e.g. "/protected/");
# file views then answer with X-Accel-Redirect and nginx sends the bytes.
UPLOADS_X_ACCEL_REDIRECT = env_str("UPLOADS_X_ACCEL_REDIRECT", "")
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 20 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Internationalisation, files --------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Uploads are never served from a URL of their own (there is no MEDIA_URL route, in
# any mode): views that check the owner send them (marketplace/uploads.py).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploads go to the file system unless UPLOADS_S3_BUCKET names a bucket on an
# S3-compatible store (django-storages), which every web host and worker then shares.
# UPLOADS_STORAGE_BACKEND/OPTIONS name any other backend (options as JSON; with S3
# they are added to the ones below).
UPLOADS_S3_BUCKET = env_str("UPLOADS_S3_BUCKET", "")
if UPLOADS_S3_BUCKET:
    UPLOADS_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": UPLOADS_S3_BUCKET,
            "endpoint_url": env_str("UPLOADS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("UPLOADS_S3_REGION") or None,
            # Unset: boto3's own chain (AWS_ACCESS_KEY_ID, an instance role...).
            "access_key": env_str("UPLOADS_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("UPLOADS_S3_SECRET_ACCESS_KEY") or None,
            "addressing_style": env_str("UPLOADS_S3_ADDRESSING_STYLE") or None,
            # Private objects, never overwritten: two uploads of the same name in one
            # month get distinct keys, as on the file system.
            "default_acl": None,
            "file_overwrite": False,
            **env_json("UPLOADS_STORAGE_OPTIONS", {}),
        },
    }
else:
    UPLOADS_STORAGE = {
        "BACKEND": env_str("UPLOADS_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env_json("UPLOADS_STORAGE_OPTIONS", {}),
    }
STORAGES = {
    "default": UPLOADS_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security: on whenever DEBUG is off, each switch overridable -----------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The container healthcheck asks over plain HTTP from inside; it must not be redirected.
SECURE_REDIRECT_EXEMPT = [r"^api/health/", r"^metrics$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# django-csp 4 (dict format). Our own origin only: scripts and styles are files
# under static/ (htmx included), never inline, so no 'unsafe-inline' or 'unsafe-eval'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

APP_VERSION = "0.1.0"

# Apps' own parts of an account backup (e.g. photos): dotted paths of classes with the
# ``exports.backup.BackupPart`` methods; manage.py account_export/account_import.
ACCOUNT_BACKUP_PARTS: list[str] = ["photos.backup.PhotosBackup"]

# --- Observability ------------------------------------------------------------
# /metrics answers these addresses (IPs or networks) and anyone sending
# "Authorization: Bearer $METRICS_TOKEN"; everyone else gets a 403.
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

# "json" (one object per line: what log collectors read) or "plain" (for a terminal).
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "marketplace.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
