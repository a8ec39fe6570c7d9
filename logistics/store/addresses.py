"""Address texts resolved once: the geocoder's answer kept in PostGIS by folded text, so
that the same address (however it is capitalised or accented) is never asked twice, and
a person's correction wins over any source."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from logistics.errors import DomainError, ErrorKind
from logistics.geocoding.candidate import Candidate, GeocoderUnavailable
from logistics.geocoding.geocoder import ChainGeocoder, Resolution, make_geocoder
from logistics.geocoding.normalise import fold
from logistics.settings import get_settings
from logistics.store.models import GeocodedAddress, Order, OrderStatus
from routing.network.download import place_path

#: the longest address text taken (a street address is far shorter)
MAX_ADDRESS_CHARS = 300


class AddressError(DomainError):
    """An address the geocoder cannot place: unknown, or several places (422, naming
    the field, with up to five candidates)."""


@lru_cache(maxsize=4)
def _geocoder(sources: str, osm_file: str, ban_url: str) -> ChainGeocoder:
    return make_geocoder(sources, osm_file, ban_url)


def platform_geocoder() -> ChainGeocoder:
    """The geocoder of the settings: ``GEOCODER``'s sources, the network's extract for
    ``osm`` (the file, or a downloaded place's cache), ``GEOCODER_BAN_URL`` for ``ban``."""
    s = get_settings()
    local = s.osm_source_is_file
    osm_file = Path(s.osm_source) if local else place_path(s.osm_source, s.osm_cache_dir)
    return _geocoder(s.geocoder_sources, str(osm_file), s.geocoder_ban_url)


def candidate_public(c: Candidate) -> dict[str, object]:
    """A candidate as the API shows it."""
    return {"label": c.label, "score": c.score, "lon": c.lon, "lat": c.lat, "source": c.source}


def address_of_point(lon: float, lat: float) -> Candidate | None:
    """The address at a point given without one (reverse geocoding), so that the courier
    reads a street; None when no source knows one or none answers."""
    try:
        return platform_geocoder().reverse(lon, lat)
    except GeocoderUnavailable:
        return None


def place_address(session: Session, text: str, field: str = "customer_address") -> Candidate:
    """The point of an address text, or :class:`AddressError` naming ``field``: unknown
    (``address_unknown``) or ambiguous (``address_ambiguous``), with its candidates."""
    text = text.strip()
    if not text:
        raise AddressError(field, "is empty: give a street address", code="address_unknown")
    if len(text) > MAX_ADDRESS_CHARS:
        raise AddressError(field, f"is longer than {MAX_ADDRESS_CHARS} characters")
    found = resolve_address(session, platform_geocoder(), text)
    if found.status == "found" and found.best is not None:
        return found.best
    candidates = [candidate_public(c) for c in found.candidates]
    if found.status == "unknown":
        raise AddressError(field, f"{text!r}: no such address known", kind=ErrorKind.INVALID,
                           code="address_unknown", params={"text": text}, candidates=candidates)
    raise AddressError(
        field, f"{text!r} may be {len(candidates)} places: choose one (candidates)",
        code="address_ambiguous", params={"text": text, "count": len(candidates)},
        candidates=candidates,
    )


def _keep(session: Session, key: str, c: Candidate, *, replace: bool) -> None:
    values = {"query": key, "label": c.label, "score": c.score, "source": c.source,
              "location": from_shape(Point(c.lon, c.lat), 4326)}
    stmt = insert(GeocodedAddress).values(**values)
    if replace:
        stmt = stmt.on_conflict_do_update(index_elements=["query"], set_={
            k: stmt.excluded[k] for k in ("label", "score", "source", "location")})
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=["query"])
    session.execute(stmt)


def resolve_address(session: Session, geocoder: ChainGeocoder, text: str) -> Resolution:
    """The address ``text`` as kept, else as the geocoder answers it (kept when found).
    Raises :class:`~logistics.geocoding.candidate.GeocoderUnavailable` when no source
    can answer and the address was never asked."""
    key = fold(text)
    row = session.get(GeocodedAddress, key)
    if row is not None:
        p = to_shape(row.location)
        best = Candidate(row.label, row.score, p.x, p.y, row.source)  # type: ignore[arg-type]
        return Resolution("found", best, (best,))
    found = geocoder.resolve(text)
    if found.status == "found" and found.best is not None:
        _keep(session, key, found.best, replace=False)
    return found


def move_customer(session: Session, order: Order, lon: float, lat: float) -> None:
    """A person puts the order's customer at (lon, lat): a dispatcher dragging the pin,
    a courier at the right door. The order moves there (refused once it is delivered,
    failed or cancelled), and its address text is corrected for every later order."""
    if order.status in (OrderStatus.DELIVERED.value, OrderStatus.FAILED.value,
                        OrderStatus.CANCELLED.value):
        raise DomainError("order_id", f"order {order.id} is {order.status}: its place no longer changes",
                          kind=ErrorKind.CONFLICT, code="place_closed",
                          params={"order_id": order.id, "status": order.status})
    order.customer_location = from_shape(Point(lon, lat), 4326)
    order.address_source, order.address_score = "manual", 1.0
    if order.customer_address:
        correct_address(session, order.customer_address, lon, lat, order.address_label)
    session.flush()


def correct_address(session: Session, text: str, lon: float, lat: float, label: str | None = None) -> None:
    """A person says where ``text`` is (a dispatcher's dragged pin, a courier on the
    spot): that answer replaces any source's, for every later order."""
    _keep(session, fold(text), Candidate(label or text, 1.0, lon, lat, "manual"), replace=True)
