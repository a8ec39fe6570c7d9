"""Every setting of the platform, in one typed object read from the environment once.

The store, the job queue, the street network, the clock and the beat all take their
settings from :func:`get_settings`; nothing else reads the environment. A value that
cannot be used stops the process with one line naming the variable
(:class:`SettingsError`). An empty variable counts as unset.

Tests that change a variable call :func:`reload_settings` (or use a fixture that does).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from logistics.timeofday import parse_clock

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
    #: seconds to wait for the database to accept a connection (libpq waits 2 at least)
    database_connect_timeout_s: int = Field(5, alias="DATABASE_CONNECT_TIMEOUT_S", gt=0)
    #: seconds one SQL statement of an API request may run (0: no limit); the worker's
    #: planning transactions have no such limit
    database_statement_timeout_s: float = Field(30, alias="DATABASE_STATEMENT_TIMEOUT_S", ge=0)
    #: the reverse proxies in front of the API (IPs or networks, comma-separated): only
    #: their ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed
    trusted_proxies: str = Field("", alias="TRUSTED_PROXIES")
    #: failed authentications (401) a client IP may make per minute, then 429 (0: no limit)
    auth_failures_per_minute: int = Field(20, alias="AUTH_FAILURES_PER_MINUTE", ge=0)
    #: anonymous ``GET /api/health`` a client IP may make per minute, then 429 (0: no limit)
    health_checks_per_minute: int = Field(60, alias="HEALTH_CHECKS_PER_MINUTE", ge=0)
    #: days a new user token is valid by default (``users create --expires-in-days``)
    token_ttl_days: int = Field(365, alias="TOKEN_TTL_DAYS", gt=0, le=3650)
    #: hours a page's session lasts (the short token a page gets for a user token)
    session_hours: float = Field(12, alias="SESSION_HOURS", gt=0, le=24 * 7)
    #: days after the delivery day a customer's personal data is kept, then erased
    personal_data_retention_days: int = Field(90, alias="PERSONAL_DATA_RETENTION_DAYS", ge=1, le=3650)
    #: a CSV import of at most this many data rows is stored in the request (201);
    #: a bigger one becomes a job the worker runs (202)
    import_inline_rows: int = Field(500, alias="IMPORT_INLINE_ROWS", ge=0)
    #: the most data rows one CSV import may hold (more: 413)
    import_max_rows: int = Field(20_000, alias="IMPORT_MAX_ROWS", gt=0)
    #: the largest request body the API reads, in bytes (more: 413); the CSV import
    #: has its own, larger bound
    max_body_bytes: int = Field(1_000_000, alias="MAX_BODY_BYTES", gt=0)
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
    #: minutes a parcel a courier found not ready ("Colis pas prêt") waits before it is
    #: ready again; the worker then inserts it like a late order
    not_ready_delay_min: int = Field(30, alias="NOT_READY_DELAY_MIN", ge=0, le=24 * 60)
    #: where a parcel whose hand-over failed goes back: ``shop`` (its shop, within its
    #: hours, else the hub) or ``hub`` (where the courier's round ends)
    return_to: Literal["shop", "hub"] = Field("shop", alias="RETURN_TO")
    #: the delivery slots a shop's form offers, ``HH:MM-HH:MM`` comma-separated
    delivery_slots: str = Field("10:00-12:00,12:00-14:00,14:00-16:00,16:00-18:00,18:00-20:00",
                                alias="DELIVERY_SLOTS")

    @field_validator("delivery_slots", mode="after")
    @classmethod
    def _slots(cls, text: str) -> str:
        for part in text.split(","):
            bounds = [b.strip() for b in part.split("-")]
            try:
                ok = len(bounds) == 2 and parse_clock(bounds[0]) < parse_clock(bounds[1])
            except ValueError:
                ok = False
            if not ok:
                msg = f"{part.strip()!r} is not a slot HH:MM-HH:MM that lasts"
                raise ValueError(msg)
        return text

    @property
    def slots(self) -> list[tuple[str, str]]:
        """The delivery slots, as (from, to) ``HH:MM`` texts."""
        return [tuple(b.strip() for b in part.split("-")) for part in self.delivery_slots.split(",")]  # type: ignore[misc]

    #: the secret of the marketplace's WooCommerce order webhooks (their signature)
    woocommerce_webhook_secret: str = Field("", alias="WOOCOMMERCE_WEBHOOK_SECRET")
    #: the delivery area: a GeoJSON polygon file; customers outside are refused (empty:
    #: no area beyond the street network's)
    delivery_area: str = Field("", alias="DELIVERY_AREA")
    #: the address sources tried in turn (``osm``, ``ban``, comma-separated); empty:
    #: ``osm`` when the network is a file, ``ban,osm`` for a place name
    geocoder: str = Field("", alias="GEOCODER")
    #: the Géoplateforme geocoding service (BAN), ``/search`` and ``/reverse`` below it
    geocoder_ban_url: str = Field("https://data.geopf.fr/geocodage", alias="GEOCODER_BAN_URL")

    #: the platform's public address, for the links sent to customers (tracking, opt-out)
    public_base_url: str = Field("http://127.0.0.1:8765", alias="PUBLIC_BASE_URL")
    #: days after the delivery day a tracking link still opens
    tracking_days: int = Field(7, alias="TRACKING_DAYS", ge=0, le=365)
    #: e-mail to customers: ``smtp://[user:password@]host[:port]`` (STARTTLS when
    #: offered) or ``smtps://...``; empty: no e-mail
    smtp_url: str = Field("", alias="SMTP_URL")
    #: the sender of those e-mails
    notify_from: str = Field("Livraison Douai <livraison@localhost>", alias="NOTIFY_FROM")
    #: SMS to customers: the provider (``brevo``); empty: no SMS
    sms_provider: str = Field("", alias="SMS_PROVIDER")
    sms_api_key: str = Field("", alias="SMS_API_KEY")
    #: the name the SMS come from (at most 11 letters and digits)
    sms_sender: str = Field("Douai", alias="SMS_SENDER", max_length=11)
    #: the provider's endpoint (Brevo's by default)
    sms_api_url: str = Field("https://api.brevo.com/v3/transactionalSMS/sms", alias="SMS_API_URL")
    #: the country code of national phone numbers (``06...`` -> ``336...``)
    sms_country_code: str = Field("33", alias="SMS_COUNTRY_CODE", pattern=r"^[1-9][0-9]{0,3}$")
    #: webhooks may go to local or private addresses (tests, an internal network)
    webhook_allow_private_urls: bool = Field(False, alias="WEBHOOK_ALLOW_PRIVATE_URLS")
    #: survey answers a period needs before its own share of car trips replaced is
    #: used (below: the default share, with its source)
    survey_min_answers: int = Field(30, alias="SURVEY_MIN_ANSWERS", ge=1, le=100_000)
    #: the fewest deliveries a cell of the open data holds, and the fewest passages a
    #: street segment of the bikes' map has, so that no household can be singled out
    open_data_min_count: int = Field(5, alias="OPEN_DATA_MIN_COUNT", ge=2, le=1000)
    #: the licence written into the open-data files
    open_data_licence: str = Field(
        "Licence Ouverte / Open Licence version 2.0 (Etalab), "
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence", alias="OPEN_DATA_LICENCE",
        min_length=1)
    #: who publishes the open data (written into the files)
    open_data_producer: str = Field("Ville de Douai", alias="OPEN_DATA_PRODUCER", min_length=1)
    #: the courier page asks for a photo on a failed hand-over
    proof_photo_on_failure: bool = Field(True, alias="PROOF_PHOTO_ON_FAILURE")

    @field_validator("sms_provider", mode="after")
    @classmethod
    def _provider(cls, text: str) -> str:
        name = text.strip().lower()
        if name and name not in ("brevo",):
            msg = f"{text!r}: the SMS providers are: brevo"
            raise ValueError(msg)
        return name

    @field_validator("smtp_url", mode="after")
    @classmethod
    def _smtp(cls, text: str) -> str:
        text = text.strip()
        if text and not text.startswith(("smtp://", "smtps://")):
            msg = f"{text!r} is not smtp://host[:port] or smtps://host[:port]"
            raise ValueError(msg)
        return text

    @field_validator("geocoder", mode="after")
    @classmethod
    def _sources(cls, text: str) -> str:
        names = [p.strip().lower() for p in text.split(",") if p.strip()]
        unknown = [n for n in names if n not in ("osm", "ban")]
        if unknown:
            msg = f"{text!r}: name sources among osm, ban (comma-separated), tried in that order"
            raise ValueError(msg)
        return ",".join(names)

    @property
    def osm_source_is_file(self) -> bool:
        """Whether the network comes from an extract file (not a place name)."""
        return self.osm_source.lower().endswith((".osm", ".pbf", ".xml", ".bz2", ".gz"))

    def geocoder_sources_for(self, local: bool) -> str:
        """The sources to try: the setting, else ``osm`` for a network from a file
        (offline) and ``ban,osm`` for a place name."""
        return self.geocoder or ("osm" if local else "ban,osm")

    @property
    def geocoder_sources(self) -> str:
        """The sources to try for the platform's own network (``OSM_SOURCE``)."""
        return self.geocoder_sources_for(self.osm_source_is_file)

    @field_validator("osm_source", "clock", "tz", mode="after")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("trusted_proxies", mode="after")
    @classmethod
    def _networks(cls, text: str) -> str:
        for part in text.split(","):
            if part.strip():
                try:
                    ipaddress.ip_network(part.strip(), strict=False)
                except ValueError:
                    msg = f"{part.strip()!r} is not an IP address or network"
                    raise ValueError(msg) from None
        return text

    @property
    def trusted_proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """``TRUSTED_PROXIES`` as networks (an address is a network of one)."""
        return tuple(ipaddress.ip_network(p.strip(), strict=False)
                     for p in self.trusted_proxies.split(",") if p.strip())

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
