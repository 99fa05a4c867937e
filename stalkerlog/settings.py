"""StalkerLog settings: every value comes from the environment (see .env.example).

The defaults run on SQLite under data/ straight after a clone; production needs only
environment variables.
"""

import importlib.util
import os
import secrets
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

# Private data: the database, evidence files and the generated secret key. No URL maps here.
DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "data"))).resolve()
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)

# Keys that appear in tutorials and templates; a server using one of them is not protected.
PLACEHOLDER_SECRET_KEYS = {
    "change-me",
    "changeme",
    "secret-key",
    "your-secret-key",
    "replace-me",
    "please-change-me",
}
MIN_SECRET_KEY_LENGTH = 50


def load_secret_key() -> str:
    """Return SECRET_KEY from the environment, or one generated once into data/secret_key."""
    given = env.str("SECRET_KEY", default="")
    if given:
        weak = (
            len(given) < MIN_SECRET_KEY_LENGTH
            or len(set(given)) < 10
            or any(placeholder in given.lower() for placeholder in PLACEHOLDER_SECRET_KEYS)
            or given.startswith("django-insecure")
        )
        if weak:
            raise ImproperlyConfigured(
                f"SECRET_KEY is too weak: use at least {MIN_SECRET_KEY_LENGTH} random characters "
                "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
                "or remove SECRET_KEY to have one generated into the data directory."
            )
        return given
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        # O_EXCL: two processes starting together cannot both write a different key.
        try:
            with open(key_file, "x", opener=lambda p, f: os.open(p, f, 0o600)) as f:
                f.write(secrets.token_urlsafe(64))
        except FileExistsError:
            pass
    return key_file.read_text().strip()


SECRET_KEY = load_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",  # intcomma: thousands separators in counts
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # the widget templates, for FORM_RENDERER
    "django_tasks",  # background jobs (built into Django from 6.0)
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "incidents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: static files stay cacheable; everything the app answers is no-store.
    "incidents.headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language before sign-in (after sessions, before CommonMiddleware).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything reads a request body: one over the limit is refused unread (413).
    "incidents.body_limit.RequestBodyLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Every page needs a signed-in user unless its view says otherwise (@login_not_required).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # With two-factor on, a session that has only the password reaches the code page and no other.
    "incidents.middleware.TwoFactorRequiredMiddleware",
    "incidents.middleware.UserTimezoneMiddleware",
    # The signed-in user's own language and legal words, over the browser's.
    "incidents.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends sign-ins left idle or too old (SESSION_IDLE_MINUTES, SESSION_ABSOLUTE_DAYS).
    "incidents.middleware.SessionExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into our own sign-in page.
    "axes.middleware.AxesMiddleware",
]

FORM_RENDERER = "incidents.forms.FormRenderer"
ROOT_URLCONF = "stalkerlog.urls"
WSGI_APPLICATION = "stalkerlog.wsgi.application"

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
                "incidents.context_processors.site",
                "incidents.context_processors.demo",
            ],
            # |when: dates with the weekday or seconds, in the reader's language, in every template.
            "builtins": ["incidents.templatetags.local_formats"],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work during a write; IMMEDIATE takes the write lock at BEGIN, so two
    # requests wait for each other (up to the timeout) instead of failing "database is locked".
    # synchronous=FULL: a saved entry survives a power cut (NORMAL could lose the last ones).
    # secure_delete: what is deleted or replaced is overwritten in the file, not just marked
    # free (a copy of the file must not hold text the app has let go of).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;"
        ),
    }
else:
    # A server database: keep each connection for a minute rather than open one per request,
    # which halves throughput on PostgreSQL (docs/benchmarks.md). "?conn_max_age=0" opts out.
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "incidents.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Password guessing (incidents/sign_in.py, docs/sign-in.md). Every limit ends by itself: a
# stalker must not be able to keep the owner out.
# 1. One user name from one address (django-axes): after SIGN_IN_LOCKOUT_ATTEMPTS wrong
#    passwords, sign-in with that name from there is paused for SIGN_IN_LOCKOUT_MINUTES. Tries
#    during the pause are not checked and do not lengthen it. Not by address alone: someone on
#    the owner's Wi-Fi or behind the same NAT could otherwise keep her out by guessing.
# 2. One user name from every address: after SIGN_IN_FREE_GUESSES wrong passwords, each next
#    guess waits 1 minute, then 2, 4, ... up to SIGN_IN_MAX_DELAY_MINUTES (a delay, never a
#    lock), forgotten after a day without a wrong password.
# 3. A device that has signed in to the account before (a signed cookie) is held up by neither,
#    but its password is checked; SIGN_IN_DEVICE_FAILURES wrong ones in a row forget it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "incidents.sign_in.SignInGuard"
AXES_FAILURE_LIMIT = max(1, env.int("SIGN_IN_LOCKOUT_ATTEMPTS", default=5))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=max(1, env.int("SIGN_IN_LOCKOUT_MINUTES", default=15)))
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_WHITELIST_CALLABLE = "incidents.sign_in.known_device_allowed"
# Axes counts a keyed hash of the user name: a password typed into the name box is not kept.
AXES_USERNAME_CALLABLE = "incidents.sign_in.attempt_name"
SIGN_IN_FREE_GUESSES = max(1, env.int("SIGN_IN_FREE_GUESSES", default=10))
SIGN_IN_MAX_DELAY_MINUTES = max(1, env.int("SIGN_IN_MAX_DELAY_MINUTES", default=60))
SIGN_IN_DEVICE_FAILURES = 5
KNOWN_DEVICE_DAYS = max(1, env.int("KNOWN_DEVICE_DAYS", default=180))
# Reset by the sign-in view for that user name and address only (axes would clear the whole
# address, letting one known account wipe the count of guesses at others).
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "incidents.sign_in.locked_out_response"
AXES_CLIENT_IP_CALLABLE = "incidents.sign_in.client_ip"
# Behind nginx every request comes from 127.0.0.1; the real address is the last one the
# proxy appended to X-Forwarded-For. 0 (the default) trusts no header.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_DISABLE_ACCESS_LOG = True  # sign-in history is kept by the app, not by axes
AXES_ENABLE_ADMIN = False
# Axes keeps the form data of each failed try beside its count. incidents/apps.py blanks it
# before every write (a wrong current password arrives with the new password beside it); the
# names below are masked as well, should that ever be bypassed.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "password",
    "password1",
    "password2",
    "old_password",
    "new_password1",
    "new_password2",
    "code",
    "setup_code",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        # 12 characters: long enough that guessing is hopeless within any lockout; the help
        # text under every new-password field is drawn from this number.
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)
# The session cookie ends when the browser closes, unless "keep me signed in on this device"
# was ticked at sign-in (then it lasts SESSION_COOKIE_AGE).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A sign-in ends after this long without a page being opened (a phone or laptop left behind
# is soon signed out; writing up an incident calmly takes a page or two within it), and in
# any case this many days after signing in.
SESSION_IDLE_MINUTES = max(1, env.int("SESSION_IDLE_MINUTES", default=30))
SESSION_ABSOLUTE_DAYS = env.int("SESSION_ABSOLUTE_DAYS", default=14)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # forms carry the token in the page; no script reads the cookie
CSRF_COOKIE_SAMESITE = "Lax"
# REQUIRE_TWO_FACTOR=true: every account must turn on two-factor sign-in before it can open
# any page (incidents/middleware.py); otherwise it is offered when the account is made.
REQUIRE_TWO_FACTOR = env.bool("REQUIRE_TWO_FACTOR", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The Content-Security-Policy, no-store and Clear-Site-Data come from incidents/headers.py.

# HTTPS=true: the site is served over HTTPS by a reverse proxy that sets X-Forwarded-Proto
# (see docs/deployment.md). Cookies then travel only over HTTPS, plain HTTP is redirected, and
# browsers are told (HSTS) to use nothing but HTTPS here from then on.
HTTPS = env.bool("HTTPS", default=False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
# The cookie that names a device which has signed in before (incidents/sign_in.py). With
# HTTPS the browser keeps it only if it is Secure, for this host only and the whole site.
KNOWN_DEVICE_COOKIE_NAME = "__Host-known_device" if HTTPS else "known_device"
if HTTPS:
    # Trusted only with HTTPS=true: the proxy must overwrite this header, never pass it on.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # A "__Host-" name makes the browser refuse the cookie unless it is Secure, for the whole
    # site (Path=/) and for this host alone (no Domain): a neighbouring subdomain or a page on
    # plain HTTP cannot plant or overwrite a sign-in or a form token.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
# A monitor on the server itself asks gunicorn for /health/ over plain HTTP; a redirect would
# read as "up" without checking anything. The answer holds nothing private.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if HTTPS else 0)
# Subdomains of the site's own name (e.g. *.notes.example.org), not its siblings.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# The preload list is a decision for whoever owns the domain, so it is off unless asked for;
# the deploy check's reminder about it (W021) is silenced for that reason.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# The app's languages. A signed-in user's own choice wins (UserLanguageMiddleware); before
# sign-in, the browser's Accept-Language (LocaleMiddleware, without language prefixes in URLs).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]  # each in its own language, on purpose
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and numbers as each language writes them: stalkerlog/formats/<language>/formats.py.
FORMAT_MODULE_PATH = ["stalkerlog.formats"]
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
# The legal words new accounts start with (incidents/jurisdictions.py lists the codes).
DEFAULT_JURISDICTION = env.str("DEFAULT_JURISDICTION", default="other")
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
EVIDENCE_DIR = DATA_DIR / "evidence"
# Thumbnails and screen-sized copies, made from the originals and safe to delete at any time.
DERIVED_DIR = DATA_DIR / "derived"

# Where the originals of evidence files are kept: "local" (EVIDENCE_DIR, never URL-mapped) or
# "s3", a private bucket on any S3-compatible store (pip install -r requirements-s3.txt; see
# docs/deployment.md). Uploads are still staged, and display copies kept, on local disk.
EVIDENCE_STORAGE = env.str("EVIDENCE_STORAGE", default="") or "local"
# An original leaves a bucket only through a signed link this many seconds long, handed out by
# the owner-checked view. Long enough to start a download, too short to be worth passing on.
EVIDENCE_LINK_MAX_SECONDS = 3600
AWS_QUERYSTRING_EXPIRE = env.int("AWS_QUERYSTRING_EXPIRE", default=60)
# "private", or empty to send no ACL (buckets with ACLs disabled); never a public one.
AWS_DEFAULT_ACL = env.str("AWS_DEFAULT_ACL", default="private") or None


def evidence_storage_backend() -> dict:
    """The "evidence" storage: private files on local disk, or in a private bucket."""
    if EVIDENCE_STORAGE == "s3":
        return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_evidence_options()}
    if EVIDENCE_STORAGE != "local":
        raise ImproperlyConfigured('EVIDENCE_STORAGE must be "local" or "s3".')
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": EVIDENCE_DIR,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }


def check_s3_settings() -> None:
    if not env.str("AWS_STORAGE_BUCKET_NAME", default=""):
        raise ImproperlyConfigured("EVIDENCE_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    if not 1 <= AWS_QUERYSTRING_EXPIRE <= EVIDENCE_LINK_MAX_SECONDS:
        raise ImproperlyConfigured(
            f"AWS_QUERYSTRING_EXPIRE must be between 1 and {EVIDENCE_LINK_MAX_SECONDS} seconds."
        )
    if AWS_DEFAULT_ACL not in (None, "private"):
        raise ImproperlyConfigured('AWS_DEFAULT_ACL must be "private" or empty, never public.')
    if importlib.util.find_spec("storages") is None or importlib.util.find_spec("boto3") is None:
        raise ImproperlyConfigured("EVIDENCE_STORAGE=s3 needs: pip install -r requirements-s3.txt")


def s3_evidence_options() -> dict:
    """django-storages' S3Storage, set so that nothing in the bucket is ever public."""
    check_s3_settings()
    from botocore.config import Config  # here: only hosts using a bucket install botocore

    options = {
        "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
        "location": env.str("AWS_LOCATION", default=""),  # a prefix inside the bucket
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        # Not settable: every link is signed, expires, and points at the bucket itself (a
        # custom domain would give plain, unsigned links).
        "querystring_auth": True,
        "querystring_expire": AWS_QUERYSTRING_EXPIRE,
        "custom_domain": None,
        "default_acl": AWS_DEFAULT_ACL,
        "object_parameters": {"CacheControl": "private, no-store"},
        "file_overwrite": False,  # names are random; an existing object is never replaced
        # Reading an original spools it to FILE_UPLOAD_TEMP_DIR past 16 MB instead of holding
        # a whole video in memory (django-storages' default, 0, means "never spool").
        "max_memory_size": 16 * 1024 * 1024,
        "client_config": Config(
            signature_version="s3v4",  # links carry X-Amz-Expires
            s3={"addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None},
            # A store that does not answer fails a request in seconds instead of holding a
            # web worker for minutes (boto3's defaults: 60 s per try, with retries).
            connect_timeout=5,
            read_timeout=60,
            retries={"max_attempts": 3, "mode": "standard"},
        ),
    }
    # Without keys in the environment, boto3 finds credentials itself (e.g. an instance role).
    if env.str("AWS_ACCESS_KEY_ID", default=""):
        options["access_key"] = env.str("AWS_ACCESS_KEY_ID")
        options["secret_key"] = env.str("AWS_SECRET_ACCESS_KEY", default="")
    return options


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Originals of evidence files. Private: served only by the owner-checked views.
    "evidence": evidence_storage_backend(),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# A neutral name shown in the browser tab and page header, so a glance at the screen or the
# browser history does not say what this site is.
SITE_TITLE = env.str("SITE_TITLE", default="Notebook")
# Two-factor sign-in (django-otp): the authenticator app lists this site under the same name.
OTP_TOTP_ISSUER = SITE_TITLE
# Where the quick exit sends the browser: an ordinary, harmless site.
QUICK_EXIT_URL = env.str("QUICK_EXIT_URL", default="https://www.wikipedia.org/")

# The "Getting help" page and the checklist: numbers for the host's country, none built in.
# HELP_CONTACTS is "Name|phone or link|short note" entries separated by ";" (see .env.example).
HELP_EMERGENCY_NUMBER = env.str("HELP_EMERGENCY_NUMBER", default="")
HELP_CONTACTS = env.str("HELP_CONTACTS", default="")

# The address the app is reached at, for links printed in the terminal
# (manage.py reset_password); e.g. https://notes.example.org
SITE_URL = env.str("SITE_URL", default="")

# The one-time code that proves whoever creates the first account runs the server.
SETUP_CODE_FILE = DATA_DIR / "setup_code"
# The command the setup page names for printing that code again; the container image sets the
# Compose form (Dockerfile).
SETUP_CODE_COMMAND = env.str("SETUP_CODE_COMMAND", default=".venv/bin/python manage.py setup_code")

TRASH_KEEP_DAYS = 30

# How many processes draw a dossier's parts at once (default: one per core).
DOSSIER_WORKERS = env.int("DOSSIER_WORKERS", default=os.cpu_count() or 1)
# Each dossier is drawn in child processes limited to this much memory each (address space,
# MB) and this long in all (seconds); one that needs more fails with a message saying so.
DOSSIER_MEMORY_LIMIT_MB = env.int("DOSSIER_MEMORY_LIMIT_MB", default=2048)
DOSSIER_TIME_LIMIT = env.float("DOSSIER_TIME_LIMIT", default=1800)

# Dossiers and evidence packages are made in the background by `manage.py db_worker` (started
# by `make run`), which takes its jobs from the database; finished files wait here for download.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# /health/ reports the worker "stalled" when a job has waited this long and no job is running.
HEALTH_WORKER_STALLED_MINUTES = env.int("HEALTH_WORKER_STALLED_MINUTES", default=10)
EXPORTS_DIR = DATA_DIR / "exports"

# Scheduled backups (docs/backups.md): with BACKUP_DIR set, the worker takes an encrypted backup
# (passphrase from BACKUP_PASSPHRASE) every BACKUP_INTERVAL_HOURS, and keeps the newest of each
# of the last BACKUP_KEEP_DAILY days and BACKUP_KEEP_WEEKLY weeks.
BACKUP_DIR = env.str("BACKUP_DIR", default="")
BACKUP_INTERVAL_HOURS = max(1, env.int("BACKUP_INTERVAL_HOURS", default=24))
BACKUP_KEEP_DAILY = max(1, env.int("BACKUP_KEEP_DAILY", default=7))
BACKUP_KEEP_WEEKLY = max(0, env.int("BACKUP_KEEP_WEEKLY", default=4))

# Evidence uploads. The limits are shown to the user before they pick files.
EVIDENCE_MAX_FILE_MB = env.int("EVIDENCE_MAX_FILE_MB", default=100)
# The largest phone export (texts or calls, XML) that can be imported; they run to gigabytes.
MESSAGE_IMPORT_MAX_FILE_MB = env.int("MESSAGE_IMPORT_MAX_FILE_MB", default=4096)
EVIDENCE_MAX_REQUEST_MB = env.int("EVIDENCE_MAX_REQUEST_MB", default=300)
EVIDENCE_MAX_FILES = env.int("EVIDENCE_MAX_FILES", default=30)
# The largest request body from someone not signed in (the sign-in and setup forms need a few
# hundred bytes). Larger ones are refused with 413 before any of it is read or written to disk;
# a signed-in account may send up to EVIDENCE_MAX_REQUEST_MB (incidents/body_limit.py).
ANONYMOUS_MAX_REQUEST_KB = env.int("ANONYMOUS_MAX_REQUEST_KB", default=64)
# Django's own ceiling is well above ours: its refusal comes while the CSRF check reads the form,
# as a bare error page that loses what was typed; up to this many, the page itself says "at most
# EVIDENCE_MAX_FILES" with the entry kept.
DATA_UPLOAD_MAX_NUMBER_FILES = EVIDENCE_MAX_FILES * 10
# Room for each account's evidence files, in MB (files in the trash count until removed).
EVIDENCE_QUOTA_MB = env.int("EVIDENCE_QUOTA_MB", default=2048)
# Requests for one file by one browser within this many seconds of each other (a player seeking
# through a recording) are one hand-out: the file is re-hashed once and logged once.
HAND_OUT_WINDOW_SECONDS = env.int("HAND_OUT_WINDOW_SECONDS", default=300)
# Trusted timestamps of the custody log's head (RFC 3161), off unless TIMESTAMP_URL names a
# time-stamping authority; TIMESTAMP_CA_FILE is its certificate (PEM), which every token is
# checked against and which packages carry. Without them nothing leaves the server.
TIMESTAMP_URL = env.str("TIMESTAMP_URL", default="")
TIMESTAMP_CA_FILE = env.str("TIMESTAMP_CA_FILE", default="")
TIMESTAMP_TIMEOUT_SECONDS = env.int("TIMESTAMP_TIMEOUT_SECONDS", default=15)
# Larger images are refused before they are decoded (decompression bombs). 50 MP is more
# than a phone photo or screenshot, and bounds the memory one image can take (~200 MB).
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=50_000_000)
# Uploads too large for memory are spooled here, inside the private data directory.
FILE_UPLOAD_TEMP_DIR = DATA_DIR / "tmp"
FILE_UPLOAD_TEMP_DIR.mkdir(mode=0o700, exist_ok=True)
# Hand file transfers to the front web server: "" (Django streams the file), "nginx"
# (X-Accel-Redirect to EVIDENCE_ACCEL_PREFIX) or "apache" (X-Sendfile). See docs/deployment.md.
EVIDENCE_SENDFILE = env.str("EVIDENCE_SENDFILE", default="")
EVIDENCE_ACCEL_PREFIX = env.str("EVIDENCE_ACCEL_PREFIX", default="/_private/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
