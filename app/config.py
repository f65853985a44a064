"""Every setting of SQL Arena, read once from the environment (and `.env` when present).

Parsing is strict: a malformed number or boolean stops the start with a clear
message instead of silently becoming a default.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote_plus

from dotenv import load_dotenv

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(ValueError):
    """A setting has a value that cannot be used."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_int(name: str, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ConfigError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default   # empty means "not set", as for every other variable (.env.example lists them empty)
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be a boolean (true/false/1/0/yes/no), got {raw!r}")


ROLES = ("admin", "instructor", "player")


def env_roles(name: str, default: str) -> tuple[str, ...]:
    """A comma-separated list of roles; an unknown role stops the start."""
    raw = env_str(name) or default
    roles = tuple(dict.fromkeys(part.strip().lower() for part in raw.split(",") if part.strip()))
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise ConfigError(f"{name} lists unknown roles {unknown}; roles are {', '.join(ROLES)}")
    return roles


def parse_rate(text: str) -> tuple[int, int]:
    """'30 per minute' → (30, 60), '10 per 5 minutes' → (10, 300): count and window in seconds."""
    units = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
    parts = text.lower().replace("/", " per ").split()
    try:
        count = int(parts[0])
        unit = parts[-1].rstrip("s")
        multiple = int(parts[2]) if len(parts) == 4 else 1
        if len(parts) not in (2, 3, 4) or (len(parts) >= 3 and parts[1] != "per") or count < 1 or multiple < 1:
            raise ValueError
        return count, units[unit] * multiple
    except (ValueError, KeyError, IndexError):
        raise ConfigError(f"rate must look like '30 per minute', got {text!r}") from None


def database_url_from_env(instance_path: Path) -> str:
    """DATABASE_URL, else the seed-style DB_* variables, else SQLite under the instance folder."""
    url = env_str("DATABASE_URL")
    if url:
        return url.replace("postgres://", "postgresql://", 1)
    if env_str("DB_HOST") or env_str("DB_NAME"):
        user = quote_plus(env_str("DB_USER", "postgres"))
        password = env_str("DB_PASS")
        auth = f"{user}:{quote_plus(password)}" if password else user
        host = env_str("DB_HOST", "127.0.0.1")
        port = env_int("DB_PORT", 5432, 1, 65535)
        return f"postgresql://{auth}@{host}:{port}/{env_str('DB_NAME', 'sqlarena')}"
    return f"sqlite:///{instance_path / 'sqlarena.db'}"


def with_psycopg2_driver(url: str) -> str:
    """SQLAlchemy 2.1 maps a bare postgresql:// to psycopg 3; the stack pins psycopg2."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


def instance_path_from_env() -> Path:
    return Path(env_str("INSTANCE_PATH") or Path(__file__).resolve().parent.parent / "instance").resolve()


def load_config(overrides: dict | None = None) -> dict:
    """Builds the Flask config dict; `overrides` (tests) win over the environment."""
    load_dotenv(override=False)
    instance_path = instance_path_from_env()
    secret = env_str("SECRET_KEY")
    attempts_rate = env_str("RATE_LIMIT_ATTEMPTS", "30 per minute")
    config = {
        "INSTANCE_PATH": str(instance_path),
        "SECRET_KEY": secret,
        "JWT_SECRET_KEY": env_str("JWT_SECRET_KEY") or secret,
        "JWT_ACCESS_TOKEN_EXPIRES": timedelta(minutes=env_int("JWT_ACCESS_TOKEN_MINUTES", 60, 1)),
        "JWT_REFRESH_TOKEN_EXPIRES": timedelta(days=env_int("JWT_REFRESH_TOKEN_DAYS", 30, 1)),
        "JWT_TOKEN_LOCATION": ["headers"],
        "SQLALCHEMY_DATABASE_URI": database_url_from_env(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "AUTO_MIGRATE": env_bool("AUTO_MIGRATE", True),
        "SEED_DEMO": env_bool("SEED_DEMO", True),
        "FIRST_ADMIN_EMAIL": env_str("FIRST_ADMIN_EMAIL", "admin@sqlarena.local"),
        "FIRST_ADMIN_PASSWORD": env_str("FIRST_ADMIN_PASSWORD"),
        "HOST": env_str("HOST", "127.0.0.1"),
        "PORT": env_int("PORT", 5000, 1, 65535),
        "SERVER_MAX_CONNECTIONS": env_int("SERVER_MAX_CONNECTIONS", 10000, 16),
        "SUBMISSION_QUOTA_PER_DAY": env_int("SUBMISSION_QUOTA_PER_DAY", 100, 0),
        "RATE_LIMIT_ATTEMPTS": parse_rate(attempts_rate),
        # Where rate-limit counters live (the `limits` library): memory:// for one process,
        # redis://… so every web process shares them.
        "RATE_LIMIT_STORAGE_URL": env_str("RATE_LIMIT_STORAGE_URL", "memory://"),
        "LOGIN_FAILURES_PER_ACCOUNT": parse_rate(env_str("LOGIN_FAILURES_PER_ACCOUNT", "10 per 5 minutes")),
        "LOGIN_FAILURES_PER_ADDRESS": parse_rate(env_str("LOGIN_FAILURES_PER_ADDRESS", "50 per 5 minutes")),
        "MAX_CONTENT_LENGTH": env_int("MAX_CONTENT_LENGTH", 60 * 1024 * 1024, 1024),
        "MAX_OPEN_ROOMS_PER_USER": env_int("MAX_OPEN_ROOMS_PER_USER", 5, 1),
        "CHALLENGE_PUBLISH_ROLES": env_roles("CHALLENGE_PUBLISH_ROLES", "admin,instructor,player"),
        "SANDBOX_DATABASE_URL": env_str("SANDBOX_DATABASE_URL"),
        "JUDGE_MAX_ROWS": env_int("JUDGE_MAX_ROWS", 10000, 1),
        "JUDGE_TIMING_RUNS": env_int("JUDGE_TIMING_RUNS", 3, 1, 21),
        "JUDGE_INLINE_LIMIT_BYTES": env_int("JUDGE_INLINE_LIMIT_BYTES", 256 * 1024, 0),
        "JUDGE_MAX_RESULT_BYTES": env_int("JUDGE_MAX_RESULT_BYTES", 8 * 1024 * 1024, 1024),
        "JUDGE_MAX_DATASET_BYTES": env_int("JUDGE_MAX_DATASET_BYTES", 64 * 1024 * 1024, 1024),
        "JUDGE_DATASET_CACHE_BYTES": env_int("JUDGE_DATASET_CACHE_BYTES", 512 * 1024 * 1024, 1024 * 1024),
        "JUDGE_THREADS": env_int("JUDGE_THREADS", 2, 0, 64),
        "JUDGE_STUCK_AFTER_S": env_int("JUDGE_STUCK_AFTER_S", 120, 5),
        "KAFKA_BOOTSTRAP_SERVERS": env_str("KAFKA_BOOTSTRAP_SERVERS"),
        "KAFKA_CLIENT_ID": env_str("KAFKA_CLIENT_ID", "sqlarena"),
        "KAFKA_CONSUMER_GROUP_ID": env_str("KAFKA_CONSUMER_GROUP_ID", "sqlarena-judge"),
        "KAFKA_RECORDER_GROUP_ID": env_str("KAFKA_RECORDER_GROUP_ID", "sqlarena-recorder"),
        "KAFKA_JOB_INIT_TOPIC": env_str("KAFKA_JOB_INIT_TOPIC", "sqlarena.job-init"),
        "KAFKA_JOB_COMPLETION_TOPIC": env_str("KAFKA_JOB_COMPLETION_TOPIC", "sqlarena.job-completion"),
        "KAFKA_JOB_PARTITIONS": env_int("KAFKA_JOB_PARTITIONS", 8, 1),
        "KAFKA_SESSION_TIMEOUT_MS": env_int("KAFKA_SESSION_TIMEOUT_MS", 10000, 1000),
        "KAFKA_HEARTBEAT_INTERVAL_MS": env_int("KAFKA_HEARTBEAT_INTERVAL_MS", 3000, 100),
        "KAFKA_FETCH_MAX_WAIT_MS": env_int("KAFKA_FETCH_MAX_WAIT_MS", 20, 0),
        "JUDGE_IN_PROCESS": env_bool("JUDGE_IN_PROCESS", True),
        "SOCKETIO_MESSAGE_QUEUE": env_str("SOCKETIO_MESSAGE_QUEUE"),
        "CORS_ALLOWED_ORIGINS": env_str("CORS_ALLOWED_ORIGINS", "*"),
        "ROOM_COUNTDOWN_S": env_int("ROOM_COUNTDOWN_S", 5, 0, 600),
        "ROOM_DISCONNECT_GRACE_S": env_int("ROOM_DISCONNECT_GRACE_S", 60, 1),
        "LOG_LEVEL": env_str("LOG_LEVEL", "INFO").upper(),
        # Flask-RESTX would otherwise turn JWT errors into 500s outside debug
        # (flask-restx #512): let exceptions reach our one error handler.
        "PROPAGATE_EXCEPTIONS": False,
        "ERROR_404_HELP": False,
        "RESTX_MASK_SWAGGER": False,
        "TESTING": False,
    }
    config.update(overrides or {})
    config["SQLALCHEMY_DATABASE_URI"] = with_psycopg2_driver(config["SQLALCHEMY_DATABASE_URI"])
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _instance_secret(Path(config["INSTANCE_PATH"]))
    if not config["JWT_SECRET_KEY"]:
        config["JWT_SECRET_KEY"] = config["SECRET_KEY"]
    return config


def _instance_secret(instance_path: Path) -> str:
    """A random secret kept under the instance folder, so tokens survive a restart."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
