"""Settings for the session-control reference app.

Every value read from the environment is read in the ENVIRONMENT section below,
with its default, and listed in the README. The embedded default (no variables
set) runs on SQLite and a local-memory cache; DATABASE_URL and REDIS_URL switch
to PostgreSQL and Redis.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


# --- ENVIRONMENT -----------------------------------------------------------------
ENV = {
    "DEBUG": os.environ.get("DEBUG", "true"),
    "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
    "ALLOWED_HOSTS": os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]"),
    "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
    "REDIS_URL": os.environ.get("REDIS_URL", ""),
    "SESSION_REF_PEPPER": os.environ.get("SESSION_REF_PEPPER", ""),
    "SECURE_COOKIES": os.environ.get("SECURE_COOKIES", "true"),
    "CSRF_TRUSTED_ORIGINS": os.environ.get("CSRF_TRUSTED_ORIGINS", ""),
    "CORS_ALLOWED_ORIGINS": os.environ.get("CORS_ALLOWED_ORIGINS", ""),
    "API_DOCS": os.environ.get("API_DOCS", "true"),
    "TRUSTED_PROXIES": os.environ.get("TRUSTED_PROXIES", ""),
    "EMAIL_URL": os.environ.get("EMAIL_URL", "console"),
    "DEFAULT_FROM_EMAIL": os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost"),
    "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
    "SESSION_IDLE_TIMEOUT": os.environ.get("SESSION_IDLE_TIMEOUT", "1800"),
    "SESSION_STAFF_IDLE_TIMEOUT": os.environ.get("SESSION_STAFF_IDLE_TIMEOUT", "900"),
    "SESSION_ABSOLUTE_TIMEOUT": os.environ.get("SESSION_ABSOLUTE_TIMEOUT", "43200"),
    "SESSION_ACTIVITY_WINDOW": os.environ.get("SESSION_ACTIVITY_WINDOW", "60"),
    "MAX_SESSIONS_PER_USER": os.environ.get("MAX_SESSIONS_PER_USER", "10"),
    "AUDIT_RETENTION_DAYS": os.environ.get("AUDIT_RETENTION_DAYS", "400"),
    "WEBAUTHN_RP_ID": os.environ.get("WEBAUTHN_RP_ID", "localhost"),
    "WEBAUTHN_RP_NAME": os.environ.get("WEBAUTHN_RP_NAME", "Session control"),
    "WEBAUTHN_ALLOWED_ORIGINS": os.environ.get(
        "WEBAUTHN_ALLOWED_ORIGINS", "http://localhost:8000"
    ),
}

# --- GENERAL ---------------------------------------------------------------------
DEBUG = _bool(ENV["DEBUG"])
if ENV["SECRET_KEY"]:
    SECRET_KEY = ENV["SECRET_KEY"]
elif DEBUG:
    # Development only: a fixed key keeps sessions across restarts of `make run`.
    SECRET_KEY = "dev-only-not-secret-" + "x" * 40
else:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
ALLOWED_HOSTS = _list(ENV["ALLOWED_HOSTS"])
# Django's debug pages show settings, request data and stack locals (database
# passwords, session keys): refuse to serve them to anything but this machine.
_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
if DEBUG and not set(ALLOWED_HOSTS) <= _LOOPBACK_HOSTS:
    raise ImproperlyConfigured(
        "DEBUG is on but ALLOWED_HOSTS names other hosts: set DEBUG=false."
    )
ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"
ASGI_APPLICATION = "project.asgi.application"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / ".staticfiles"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1

# --- DATABASES -------------------------------------------------------------------
if ENV["DATABASE_URL"]:
    DATABASES = {"default": dj_database_url.parse(ENV["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
        }
    }

# --- CACHES ----------------------------------------------------------------------
# Sessions get their own alias so that a cache flush for other data never signs
# anyone out, and so that its Redis errors are ignored: principle 5, the database
# answers when Redis cannot.
if ENV["REDIS_URL"]:
    from project.cache import redis_options

    _redis_options = redis_options()
    CACHES = {
        "default": {
            # allauth's rate limits live here; see project/cache.py for why
            # this subclass (rate limits fail open while Redis is down).
            "BACKEND": "project.cache.DegradingRedisCache",
            "LOCATION": ENV["REDIS_URL"],
            "KEY_PREFIX": "sc",
            "OPTIONS": _redis_options,
        },
        "sessions": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": ENV["REDIS_URL"],
            "KEY_PREFIX": "sc-sess",
            "OPTIONS": _redis_options,
        },
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "sessions_audit.cache"
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "sessions": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "sessions",
        },
    }

# --- APPS ------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "sessions_audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything that can answer: a preflight needs its CORS headers too.
    "corsheaders.middleware.CorsMiddleware",
    # /api/ only: JSON bodies on unsafe methods (415), Cache-Control: no-store.
    "project.middleware.ApiMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Replaces django.contrib.auth's middleware: the registry row is checked in
    # the same query that loads the user (sessions_audit/authentication.py).
    "sessions_audit.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

# --- AUTH ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
_validators = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_validators}.UserAttributeSimilarityValidator"},
    {
        "NAME": f"{_validators}.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": f"{_validators}.CommonPasswordValidator"},
    {"NAME": f"{_validators}.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# --- SESSIONS --------------------------------------------------------------------
SESSION_ENGINE = "sessions_audit.session_store"
SESSION_CACHE_ALIAS = "sessions"
SESSION_SERIALIZER = "django.contrib.sessions.serializers.JSONSerializer"
SECURE_COOKIES = _bool(ENV["SECURE_COOKIES"])
# `__Host-` needs Secure, Path=/ and no Domain; browsers accept Secure cookies
# on http://localhost, so development keeps the production names.
SESSION_COOKIE_NAME = "__Host-session" if SECURE_COOKIES else "session"
SESSION_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_PATH = "/"
# A browser-session cookie; the server enforces the lifetime (principle 1).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# The registry enforces the timeouts (sessions_audit/lifecycle.py). The stores
# (PostgreSQL row, Redis TTL) keep a session one hour past the absolute timeout,
# no longer: long enough that the registry, not a silently vanished store, ends
# it and audits it; `manage.py expire_sessions` deletes what is left.
SESSION_COOKIE_AGE = int(ENV["SESSION_ABSOLUTE_TIMEOUT"]) + 3600
CSRF_COOKIE_NAME = "__Host-csrftoken" if SECURE_COOKIES else "csrftoken"
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SAMESITE = "Lax"
# Deliberately readable by JavaScript: the single-page client copies it into the
# X-CSRFToken header. It is not a credential on its own.
CSRF_COOKIE_HTTPONLY = False
CSRF_TRUSTED_ORIGINS = _list(ENV["CSRF_TRUSTED_ORIGINS"])
CSRF_FAILURE_VIEW = "project.csrf.csrf_failure"

# --- ALLAUTH ---------------------------------------------------------------------
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# A passkey assertion by the signed-in user counts as a re-authentication on
# every gated page and endpoint, as the password does (accounts/services.py).
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "passkey")
ACCOUNT_PREVENT_ENUMERATION = True
# Marks the password changes allauth makes so the model-level receiver leaves
# them to allauth's own signals (sessions_audit/adapter.py explains).
ACCOUNT_ADAPTER = "sessions_audit.adapter.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
    # Passkey sign-in (options and verify both count), accounts/api.py.
    "passkey_login": "30/m/ip",
}

# --- PASSKEYS --------------------------------------------------------------------
# WebAuthn relying party (accounts/passkeys.py). Origins are compared exactly:
# no wildcards, no subdomains. The RP ID is a constant, never the request's Host.
PASSKEYS = {
    "RP_ID": ENV["WEBAUTHN_RP_ID"],
    "RP_NAME": ENV["WEBAUTHN_RP_NAME"],
    "ALLOWED_ORIGINS": _list(ENV["WEBAUTHN_ALLOWED_ORIGINS"]),
}

# --- REST_FRAMEWORK --------------------------------------------------------------
# The session cookie is the only credential: no token or JWT classes, ever.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's SessionAuthentication; CSRF failures get a stable JSON code.
        "sessions_audit.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["project.parsers.SafeJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "project.api.JsonFallbackNegotiation",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "project.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# The OpenAPI schema and its docs page (/api/schema/, /api/docs/). Swagger UI's
# files come from drf-spectacular-sidecar through staticfiles: no CDN, and the
# CSP's script-src 'self' holds.
API_DOCS = _bool(ENV["API_DOCS"])
SPECTACULAR_SETTINGS = {
    "TITLE": "Session control API",
    "DESCRIPTION": (
        "JSON API for single-page apps. The only credential is the HttpOnly "
        "session cookie; unsafe methods need the X-CSRFToken header (copy it "
        "from the CSRF cookie after GET /api/auth/csrf/). Errors are "
        '{"code", "detail"}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- CORS ------------------------------------------------------------------------
# Off unless CORS_ALLOWED_ORIGINS names origins: the SPA served by this app is
# same-origin and needs none. Exact origins only (never a wildcard, never
# CORS_ALLOW_ALL_ORIGINS), with credentials so that the session cookie goes
# along; each origin must also be in CSRF_TRUSTED_ORIGINS for unsafe methods.
CORS_ALLOWED_ORIGINS = _list(ENV["CORS_ALLOWED_ORIGINS"])
CORS_ALLOW_CREDENTIALS = True
CORS_URLS_REGEX = r"^/api/.*$"
CORS_PREFLIGHT_MAX_AGE = 600

# --- SESSIONS_AUDIT --------------------------------------------------------------
# Keyed-hash pepper for session references in the audit log. It defaults to a
# value derived from SECRET_KEY so that development needs nothing set.
SESSIONS_AUDIT = {
    "SESSION_REF_PEPPER": ENV["SESSION_REF_PEPPER"],
    "TRUSTED_PROXIES": _list(ENV["TRUSTED_PROXIES"]),
    # Timeouts in seconds; the README's security section compares them with
    # NIST SP 800-63B-4.
    "IDLE_TIMEOUT_SECONDS": int(ENV["SESSION_IDLE_TIMEOUT"]),
    "STAFF_IDLE_TIMEOUT_SECONDS": int(ENV["SESSION_STAFF_IDLE_TIMEOUT"]),
    "ABSOLUTE_TIMEOUT_SECONDS": int(ENV["SESSION_ABSOLUTE_TIMEOUT"]),
    "ACTIVITY_WINDOW_SECONDS": int(ENV["SESSION_ACTIVITY_WINDOW"]),
    "MAX_SESSIONS_PER_USER": int(ENV["MAX_SESSIONS_PER_USER"]),
    # manage.py purge_audit deletes audit events older than this.
    "AUDIT_RETENTION_DAYS": int(ENV["AUDIT_RETENTION_DAYS"]),
}

# --- EMAIL -----------------------------------------------------------------------
# "console" prints mail (development); smtp://user:password@host:port sends it.
if ENV["EMAIL_URL"] == "console":
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    _email = urlsplit(ENV["EMAIL_URL"])
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email.hostname,
                "port": _email.port or 587,
                "username": unquote(_email.username or ""),
                "password": unquote(_email.password or ""),
                "use_tls": True,
            },
        }
    }
DEFAULT_FROM_EMAIL = ENV["DEFAULT_FROM_EMAIL"]

# --- SECURITY --------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
if not DEBUG:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- LOGGING ---------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": ENV["LOG_LEVEL"]},
    "loggers": {
        # Django's own console handler would print every request warning twice.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
    },
}
