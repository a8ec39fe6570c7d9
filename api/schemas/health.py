"""The health of the services the platform needs, as ``GET /api/health`` answers."""

from typing import Literal

from pydantic import BaseModel


class ServiceCheck(BaseModel):
    """Whether a service answered, and how (or why not)."""

    ok: bool
    detail: str


class DatabaseCheck(ServiceCheck):
    """The database, and the PostGIS version it runs (null when it did not answer)."""

    postgis: str | None


class WorkerCheck(ServiceCheck):
    """The workers consuming this platform's queue, by name."""

    workers: list[str]


class HealthPublic(BaseModel):
    """``ok`` when the database, Redis and a worker all answer, else ``degraded``
    (503) with the entry of each service saying which failed and why."""

    status: Literal["ok", "degraded"]
    database: DatabaseCheck
    redis: ServiceCheck
    worker: WorkerCheck
