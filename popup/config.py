"""Configuration, read from environment variables.

Every variable is listed in the README. Nothing secret has a default: in
production the app refuses to start without a real SECRET_KEY, in development
a random key is generated once into the instance folder.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

WEAK_SECRET_KEYS = {"", "dev", "secret", "changeme", "change-me", "development", "test"}
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """The configuration cannot run safely."""


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from exc


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the URL uses."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    """Settings shared by every environment; values come from the environment."""

    ENV_NAME = "development"
    TESTING = False

    def __init__(self, instance_path: str) -> None:
        self.ENV_NAME = os.environ.get("POPUP_ENV", self.ENV_NAME)
        self.SECRET_KEY = os.environ.get("SECRET_KEY", "")
        default_db = "sqlite:///" + str(Path(instance_path) / "popup.sqlite")
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ.get("DATABASE_URL") or default_db)
        self.SPATIALITE_LIBRARY_PATH = os.environ.get("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
        self.SQLITE_BUSY_TIMEOUT_MS = _int("SQLITE_BUSY_TIMEOUT_MS", 5000)

        # Login rate limit and other counters: shared storage in production.
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_HEADERS_ENABLED = True
        self.LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
        # Residents' reports and wishes need no account: limited per client address.
        self.REPORT_RATE_LIMIT = os.environ.get("REPORT_RATE_LIMIT", "10 per hour")
        self.REPORT_MIN_FILL_S = _int("REPORT_MIN_FILL_S", 3)
        self.WISH_RATE_LIMIT = os.environ.get("WISH_RATE_LIMIT", "30 per hour")
        self.OPEN_DATA_LICENCE = os.environ.get("OPEN_DATA_LICENCE", "CC BY 4.0")

        # OWASP (2023): PBKDF2-HMAC-SHA256 with at least 600,000 iterations.
        self.PASSWORD_HASH_METHOD = os.environ.get("PASSWORD_HASH_METHOD", "pbkdf2:sha256:600000")
        self.PASSWORD_MIN_LENGTH = _int("PASSWORD_MIN_LENGTH", 10)
        self.PASSWORD_RESET_MAX_AGE_S = _int("PASSWORD_RESET_MAX_AGE_S", 3600)

        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
        self.MAIL_PORT = _int("MAIL_PORT", 25)
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
        self.MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
        self.MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "popup@localhost")
        self.MAIL_TIMEOUT_S = _int("MAIL_TIMEOUT_S", 10)

        self.TILE_URL = os.environ.get("TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
        self.TILE_ATTRIBUTION = os.environ.get(
            "TILE_ATTRIBUTION",
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
        )

        self.BABEL_DEFAULT_LOCALE = "fr"
        self.BABEL_DEFAULT_TIMEZONE = "Europe/Brussels"
        self.LANGUAGES = ("fr", "nl", "en")

        self.MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 16 * 1024 * 1024)
        self.BOOTSTRAP_SERVE_LOCAL = True
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.PROXY_FIX_HOPS = _int("PROXY_FIX_HOPS", 0)

        if self.ENV_NAME == "production":
            self.SESSION_COOKIE_SECURE = True
            self.REMEMBER_COOKIE_SECURE = True
            self.PREFERRED_URL_SCHEME = "https"

        self._check_secret_key(instance_path)

    def _check_secret_key(self, instance_path: str) -> None:
        key = self.SECRET_KEY
        strong = key.strip().lower() not in WEAK_SECRET_KEYS and len(key) >= MIN_SECRET_KEY_LENGTH
        if strong:
            return
        if self.ENV_NAME == "production":
            raise ConfigError(
                "SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters in production "
                '(python3 -c "import secrets; print(secrets.token_hex(32))").'
            )
        if key:
            raise ConfigError(f"SECRET_KEY is too weak: use at least {MIN_SECRET_KEY_LENGTH} random characters.")
        self.SECRET_KEY = _development_secret_key(Path(instance_path))

    def as_dict(self) -> dict:
        return {k: v for k, v in vars(self).items() if k.isupper()}


def _development_secret_key(instance: Path) -> str:
    """Return this checkout's random development key, creating it once."""
    path = instance / "dev-secret-key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


class TestingConfig(Config):
    """Fast hashing, no rate-limit surprises between tests, a fixed key."""

    ENV_NAME = "testing"
    TESTING = True
    __test__ = False  # not a pytest test class

    def __init__(self, instance_path: str, database_url: str | None = None) -> None:
        super().__init__(instance_path)
        self.ENV_NAME = "testing"
        self.TESTING = True
        self.SECRET_KEY = "testing-" + "x" * MIN_SECRET_KEY_LENGTH
        if database_url:
            self.SQLALCHEMY_DATABASE_URI = normalise_database_url(database_url)
        self.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"  # noqa: S105  (fast hashing in tests only)
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.SERVER_NAME = None
        self.TILE_URL = ""  # tests load no external tile

    def _check_secret_key(self, instance_path: str) -> None:
        return None
