"""Settings, read once from the environment (prefix ``ENVPLANE_``)."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from envplane.core.threads import DEFAULT_READ_THREADS


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ENVPLANE_", env_file=".env", extra="ignore"
    )

    ENV: str = Field(default="development", pattern="^(development|production)$")
    DATA_DIR: Path = Path(".envplane")
    # Empty means the embedded default: an SQLite file in DATA_DIR.
    DATABASE_URL: str = ""
    # Connections each server process keeps open, and how many more it may open
    # under load. Every request holds one for its whole transaction, and
    # synchronous handlers run on up to 40 threads for writes and READ_THREADS
    # for reads: with fewer kept open, a busy server opens and closes
    # connections all the time.
    DATABASE_POOL_SIZE: int = Field(default=20, gt=0)
    DATABASE_MAX_OVERFLOW: int = Field(default=20, ge=0)
    # Threads each server process runs read requests on (see core.threads).
    # More help only where the database is far enough away that reads spend
    # most of their time waiting for it.
    READ_THREADS: int = Field(default=DEFAULT_READ_THREADS, gt=0)

    # Fernet keys for secrets at rest, comma separated, newest first. Empty means a
    # key generated into DATA_DIR on first start.
    SECRET_KEY: str = ""

    # Tokens envplane signs itself (``envplane token issue``).
    JWT_ISSUER: str = "envplane"
    JWT_AUDIENCE: str = "envplane"
    JWT_TTL_SECONDS: int = Field(default=30 * 24 * 3600, gt=0)

    # An external OpenID Connect issuer whose tokens are accepted too.
    OIDC_ISSUER: str = ""
    OIDC_JWKS_URL: str = ""
    OIDC_AUDIENCE: str = ""
    OIDC_JWKS_CACHE_SECONDS: int = Field(default=300, gt=0)

    LOG_FORMAT: str = Field(default="console", pattern="^(console|json)$")
    LOG_LEVEL: str = "INFO"

    @model_validator(mode="after")
    def _check_production(self) -> "Settings":
        if self.OIDC_ISSUER and not (self.OIDC_JWKS_URL and self.OIDC_AUDIENCE):
            raise ValueError("OIDC_ISSUER needs OIDC_JWKS_URL and OIDC_AUDIENCE too")
        if self.ENV == "production" and not self.SECRET_KEY:
            raise ValueError(
                "ENVPLANE_SECRET_KEY must be set in production: a generated key in "
                "the data directory is only meant for a single development machine"
            )
        return self

    @property
    def database_url(self) -> str:
        return self.DATABASE_URL or f"sqlite:///{self.DATA_DIR / 'envplane.db'}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
