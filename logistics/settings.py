"""Every setting of the platform, in one typed object read from the environment once.

The store, the job queue, the street network, the clock and the beat all take their
settings from :func:`get_settings`; nothing else reads the environment. A value that
cannot be used stops the process with one line naming the variable
(:class:`SettingsError`). An empty variable counts as unset.

Tests that change a variable call :func:`reload_settings` (or use a fixture that does).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: the local stack that ``scripts/setup --with-services`` runs (a development default)
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/douai"
#: the town the platform was made for; any place name or OSM file works
DEFAULT_PLACE = "Douai, France"


class SettingsError(ValueError):
    """A setting the platform cannot use; ``str()`` is one line naming the variable."""


class Settings(BaseSettings):
    """The platform's settings; each field's alias is its environment variable."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore", env_ignore_empty=True,
                                      populate_by_name=True)

    #: the PostgreSQL + PostGIS store (SQLAlchemy URL; plain ``postgresql://`` works)
    database_url: str = Field(DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    #: the Celery broker
    redis_url: str = Field("redis://127.0.0.1:6379/0", alias="REDIS_URL")
    #: the Celery queue, so that several stacks can share one Redis
    queue: str = Field("douai", alias="DOUAI_QUEUE", min_length=1)
    #: seconds before a task a dead worker held goes to another worker
    visibility_timeout_s: int = Field(3600, alias="DOUAI_VISIBILITY_TIMEOUT", gt=0)
    #: the workers' street network: a place name or an ``.osm``/``.osm.pbf`` file
    osm_source: str = Field(DEFAULT_PLACE, alias="OSM_SOURCE")
    #: where downloaded places are cached
    osm_cache_dir: Path = Field(Path("data/osm"), alias="OSM_CACHE_DIR")
    #: the zone of the shops' hours, the customers' slots and "today"
    tz: str = Field("Europe/Paris", alias="DOUAI_TZ")
    #: tests and replays: the platform's "now" (see :mod:`logistics.clock`)
    clock: str = Field("", alias="DOUAI_CLOCK")
    #: when beat asks for tomorrow's plan, local ``HH:MM``
    plan_tomorrow_at: str = Field("18:00", alias="PLAN_TOMORROW_AT")

    @field_validator("osm_source", "clock", "tz", mode="after")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("plan_tomorrow_at", mode="after")
    @classmethod
    def _hh_mm(cls, text: str) -> str:
        hours, _, minutes = text.partition(":")
        try:
            h, m = int(hours), int(minutes or 0)
        except ValueError:
            h = m = -1
        if not (0 <= h < 24 and 0 <= m < 60):
            msg = f"{text!r} is not a time HH:MM"
            raise ValueError(msg)
        return f"{h:02d}:{m:02d}"

    @property
    def plan_tomorrow_hour_minute(self) -> tuple[int, int]:
        """``PLAN_TOMORROW_AT`` as (hour, minute)."""
        h, m = self.plan_tomorrow_at.split(":")
        return int(h), int(m)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings, read from the environment on first use and kept."""
    try:
        return Settings()
    except ValidationError as e:
        err = e.errors()[0]
        name = str(err["loc"][0]) if err.get("loc") else "settings"
        problem = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        msg = f"{name}: {problem}"
        raise SettingsError(msg) from None


def reload_settings() -> Settings:
    """Read the environment again (tests that change a variable)."""
    get_settings.cache_clear()
    return get_settings()
