"""The day's shops, orders and couriers, read from three CSV files and checked row by row.

The files have a header row naming their columns (in any order; unknown columns are
ignored), are UTF-8 (a byte-order mark is accepted, as Excel writes one) and separate
values by commas (or by semicolons, as French spreadsheets do, when the header has no
comma). Times are ``HH:MM`` (``HH:MM:SS`` and ``24:00`` accepted), coordinates are
WGS 84 longitude and latitude in decimal degrees with a dot.

Every problem raises an :class:`InputError` naming the file, the line and the column,
so that a shopkeeper can fix the spreadsheet without reading Python. The bounds are the
platform's (:mod:`logistics.limits`): ids of at most 64 characters, ASCII letters,
digits, ``_``, ``.`` and ``-`` (the first a letter or a digit), no NUL character in any cell, weights, volumes and capacities finite and at most 1,000 kg and 10,000 L, no
point at (0, 0), a slot that lasts and a parcel ready before its slot ends.

shops.csv
    ``shop_id, name, lon, lat, opens, closes``
orders.csv
    ``order_id, shop_id, basket_id, customer_lon, customer_lat, weight_kg, volume_l,
    ready_at, deliver_from, deliver_to``; an empty ``shop_id`` means the parcel is
    already at the couriers' start (the hub), an empty ``ready_at`` means ready at any
    time; orders sharing a ``basket_id`` go to one customer in one slot.
couriers.csv
    ``courier_id, mode, capacity_kg, capacity_l, shift_start, shift_end, start_lon,
    start_lat, end_lon, end_lat``; ``mode`` is ``cargo_bike`` or ``foot``; empty
    ``end_lon`` and ``end_lat`` mean the courier ends where they started.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from logistics import limits
from logistics.errors import DomainError
from logistics.geocoding.candidate import Candidate
from logistics.refusal_wording import worded
from logistics.timeofday import format_clock, parse_clock

#: Travel modes a courier can have.
MODES = ("cargo_bike", "foot")

#: File names used by :func:`write_day_inputs` and the command line.
SHOPS_CSV, ORDERS_CSV, COURIERS_CSV = "shops.csv", "orders.csv", "couriers.csv"

#: ``(west, south, east, north)`` in degrees.
Bounds = tuple[float, float, float, float]


class InputError(DomainError):
    """A problem in one input file, located by row (the CSV line number) and column.

    ``row`` is None for a problem with the whole file (not found, not UTF-8), ``field``
    is empty for a problem with the whole row. ``str()`` is one line, for instance
    ``orders.csv row 7, field weight_kg: 'abc' is not a number``.
    """

    field: str | None  # type: ignore[assignment]  # None: the whole file or row

    def __init__(self, file: str, row: int | None, field: str | None, problem: str,
                 code: str | None = None, **params: Any) -> None:
        self.file, self.row = file, row
        super().__init__(field or "", problem, code=code, params=params)
        self.field = field

    def as_problem(self) -> dict[str, Any]:
        """The 422 entry: the field (``body`` for the whole file or row), the row, the
        whole line as the problem; with a code, its figures and its French sentence."""
        return {"field": self.field or "body", "row": self.row, "problem": str(self),
                **worded(self.code, self.params)}

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
        if self.field:
            where += f", field {self.field}"
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class Shop:
    """A shop where couriers pick parcels up, open from ``opens`` to ``closes`` (seconds)."""

    shop_id: str
    name: str
    lon: float
    lat: float
    opens: int
    closes: int


@dataclass(frozen=True)
class Order:
    """One parcel to carry from a shop (or from the hub) to a customer within a slot.

    ``shop_id`` None means the parcel already waits at the hub where couriers start.
    Times are seconds since midnight: the parcel can be picked up from ``ready_at`` and
    must reach the customer between ``deliver_from`` and ``deliver_to``.
    """

    order_id: str
    shop_id: str | None
    basket_id: str | None
    customer_lon: float
    customer_lat: float
    weight_kg: float
    volume_l: float
    ready_at: int
    deliver_from: int
    deliver_to: int

    @property
    def from_hub(self) -> bool:
        """True when the parcel is already at the hub rather than in a shop."""
        return self.shop_id is None


@dataclass(frozen=True)
class Courier:
    """A courier on a cargo bike or on foot, with capacity, shift and start/end points."""

    courier_id: str
    mode: str
    capacity_kg: float
    capacity_l: float
    shift_start: int
    shift_end: int
    start_lon: float
    start_lat: float
    end_lon: float
    end_lat: float


@dataclass(frozen=True)
class DayInputs:
    """Everything the planner is told about one day: shops, orders and couriers; and the
    orders whose address could not be placed (order id -> the problem), which the
    planner leaves out as ``address_unknown`` (their point is not a place)."""

    shops: tuple[Shop, ...]
    orders: tuple[Order, ...]
    couriers: tuple[Courier, ...]
    unplaced: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("shops", "orders", "couriers"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def shop_by_id(self) -> dict[str, Shop]:
        """Shops keyed by id."""
        return {s.shop_id: s for s in self.shops}

    def baskets(self) -> dict[str, tuple[Order, ...]]:
        """Orders that share a basket, keyed by basket id, in file order."""
        groups: dict[str, list[Order]] = {}
        for o in self.orders:
            if o.basket_id is not None:
                groups.setdefault(o.basket_id, []).append(o)
        return {k: tuple(v) for k, v in groups.items()}


# --------------------------------------------------------------------------- reading


SHOP_COLUMNS = tuple(f.name for f in dataclasses.fields(Shop))
ORDER_COLUMNS = tuple(f.name for f in dataclasses.fields(Order))
COURIER_COLUMNS = tuple(f.name for f in dataclasses.fields(Courier))
#: the orders file's columns that may be left out
OPTIONAL_ORDER_COLUMNS = ("shop_id", "basket_id", "customer_lon", "customer_lat", "ready_at")


class _Row:
    """One data row of a file, with parsers that raise :class:`InputError` in place."""

    def __init__(self, file: str, line: int, values: Mapping[str, str]) -> None:
        self.file, self.line, self.values = file, line, values

    def error(self, field: str | None, problem: str, code: str | None = None,
              **params: Any) -> InputError:
        return InputError(self.file, self.line, field, problem, code, **params)

    def text(
        self, field: str, *, required: bool = True, max_length: int = limits.ID_LENGTH
    ) -> str | None:
        value = self.values.get(field, "").strip()
        if not value:
            if required:
                raise self.error(field, "is empty", "value_empty")
            return None
        problem = limits.text_problem(value, max_length)
        if problem is not None:
            if "\x00" in value:
                raise self.error(field, problem, "nul_character")
            raise self.error(field, problem, "too_long", length=len(value), maximum=max_length)
        return value

    def ident(self, field: str) -> str:
        value = self.optional_ident(field, required=True)
        assert value is not None
        return value

    def optional_ident(self, field: str, *, required: bool = False) -> str | None:
        """A shop, order, basket or courier id (:func:`logistics.limits.id_problem`)."""
        value = self.text(field, required=required)
        if value is None:
            return None
        problem = limits.id_problem(value)
        if problem is not None:
            raise self.error(field, problem, "bad_id", value=value)
        return value

    def size(self, field: str, maximum: float, unit: str) -> float:
        """A weight, volume or capacity: finite, not negative, at most ``maximum``."""
        value = self.number(field, non_negative=True)
        if value > maximum:
            raise self.error(field, f"{value:g} {unit} is more than the {maximum:g} {unit} the platform takes",
                             "too_large", value=f"{value:g}", maximum=f"{maximum:g}", unit=unit)
        return value

    def number(self, field: str, *, non_negative: bool = False) -> float:
        raw = self.values.get(field, "").strip()
        if not raw:
            raise self.error(field, "is empty, a number is expected", "value_empty")
        try:
            value = float(raw)
        except ValueError:
            hint = ""
            if "," in raw:
                try:
                    float(raw.replace(",", "."))
                    hint = ": use a dot as the decimal separator"
                except ValueError:
                    pass
            raise self.error(field, f"{raw!r} is not a number{hint}", "not_a_number", value=raw,
                             dot=raw.replace(",", ".") if hint else None) from None
        if not math.isfinite(value):
            raise self.error(field, f"{raw!r} is not a finite number", "not_a_number", value=raw, dot=None)
        if non_negative and value < 0:
            raise self.error(field, f"{raw!r} must not be negative", "negative", value=raw)
        return value

    def clock(self, field: str, *, default: int | None = None) -> int:
        raw = self.values.get(field, "").strip()
        if not raw:
            if default is not None:
                return default
            raise self.error(field, "is empty, a time HH:MM is expected", "value_empty")
        try:
            return parse_clock(raw)
        except ValueError as e:
            raise self.error(field, f"{raw!r} {e}", "not_a_time", value=raw) from None

    def window(
        self, start_field: str, end_field: str, phrase: str, *, strict: bool
    ) -> tuple[int, int]:
        """Start and end times; ``phrase`` says it, e.g. "the shift ends {} it starts"."""
        start, end = self.clock(start_field), self.clock(end_field)
        if end < start or (strict and end == start):
            end_words, start_words = phrase.split(" {} ")
            when = "before" if end < start else "when"
            raise self.error(
                end_field,
                f"{end_words} ({format_clock(end)}) {when} {start_words} ({format_clock(start)})",
                "window_reversed", start=format_clock(start), end=format_clock(end),
            )
        return start, end

    def point(self, lon_field: str, lat_field: str, area: _Area | None) -> tuple[float, float]:
        bounds = area.bounds if area is not None else None
        lon, lat = self.number(lon_field), self.number(lat_field)
        pair = f"{lon_field}/{lat_field}"
        shown = f"({_deg(lon)}, {_deg(lat)})"
        if limits.null_island(lon, lat):
            raise self.error(pair, "(0, 0) is not a place: the point is missing")
        if not -180 <= lon <= 180:
            raise self.error(lon_field, f"{_deg(lon)} is not a longitude (-180 to 180)")
        if not -90 <= lat <= 90:
            if -90 <= lon <= 90:
                raise self.error(
                    pair,
                    f"{shown} looks like lon and lat are swapped: {_deg(lat)} is not a "
                    "latitude (-90 to 90)",
                )
            raise self.error(lat_field, f"{_deg(lat)} is not a latitude (-90 to 90)")
        if bounds is not None and not _inside(bounds, lon, lat):
            if _inside(bounds, lat, lon):
                raise self.error(
                    pair,
                    f"{shown} looks like lon and lat are swapped: ({_deg(lat)}, {_deg(lon)}) "
                    "is in the street network area",
                )
            if area is not None and area.allow_outside:
                return lon, lat
            w, s, e, n = bounds
            raise self.error(
                pair,
                f"{shown} is outside the street network area "
                f"(lon {_deg(w)} to {_deg(e)}, lat {_deg(s)} to {_deg(n)})",
            )
        return lon, lat


def _deg(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class _Area:
    """The network's extent; with ``allow_outside``, only swapped points are errors."""

    bounds: Bounds
    allow_outside: bool


def _inside(bounds: Bounds, lon: float, lat: float) -> bool:
    w, s, e, n = bounds
    return w <= lon <= e and s <= lat <= n


def _rows(path: Path, columns: tuple[str, ...], optional: tuple[str, ...] = ()) -> Iterator[_Row]:
    """The non-blank data rows of a CSV file that has at least ``columns`` (but those
    of ``optional``: their cells then read empty)."""
    file = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(file, None, None, "file not found") from None
    except IsADirectoryError:
        raise InputError(file, None, None, "is a directory, not a CSV file") from None
    except OSError as e:
        raise InputError(file, None, None, f"cannot be read ({e.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(
            file, line, None, "is not UTF-8 text: save the file as 'CSV UTF-8'", "not_utf8"
        ) from None
    if not text.strip():
        expected = ", ".join(columns)
        raise InputError(file, 1, None, f"the file is empty: expected a header row {expected}",
                         "file_empty", columns=expected)
    first = text.lstrip().splitlines()[0]
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
        positions: dict[str, int] = {}
        for i, name in enumerate(header):
            if name and name in positions:
                raise InputError(file, 1, name, "the column appears twice in the header", "column_twice")
            positions[name] = i
        for name in columns:
            if name not in positions and name not in optional:
                have = ", ".join(h for h in header if h) or "nothing"
                raise InputError(file, 1, name, f"the column is missing (the header has {have})",
                                 "column_missing", have=have)
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                raise InputError(
                    file,
                    line,
                    None,
                    f"has {len(cells)} values but the header has {len(header)} columns",
                    "too_many_values", values=len(cells), columns=len(header),
                )
            cells += [""] * (len(header) - len(cells))
            for name, cell in zip(header, cells, strict=False):
                if "\x00" in cell:
                    # PostgreSQL cannot store it, and no spreadsheet means it.
                    raise InputError(file, line, name or None, "contains a NUL character (\\x00)",
                                     "nul_character")
            yield _Row(file, line, {name: cells[i] for name, i in positions.items() if name})
    except csv.Error as e:
        raise InputError(file, reader.line_num, None, f"is not valid CSV ({e})", "bad_csv") from None


def _read_shops(path: Path, bounds: _Area | None) -> tuple[Shop, ...]:
    shops: dict[str, tuple[int, Shop]] = {}
    for row in _rows(path, SHOP_COLUMNS):
        shop_id = row.ident("shop_id")
        if shop_id in shops:
            raise row.error(
                "shop_id", f"duplicate shop id {shop_id!r} (first in row {shops[shop_id][0]})"
            )
        lon, lat = row.point("lon", "lat", bounds)
        opens, closes = row.window("opens", "closes", "the shop closes {} it opens", strict=True)
        name = row.text("name", required=False, max_length=limits.NAME_LENGTH) or ""
        shops[shop_id] = (row.line, Shop(shop_id, name, lon, lat, opens, closes))
    return tuple(s for _, s in shops.values())


def read_orders(
    orders_csv: str | Path,
    shop_ids: set[str],
    *,
    shops_source: str = "the shops file",
    bounds: Bounds | None = None,
) -> tuple[Order, ...]:
    """Read and check an orders file alone, against the shops known to ``shops_source``
    (the store, for an import); raise :class:`InputError` on the first problem. With
    ``bounds`` (the service area), every customer must lie inside."""
    rows = read_order_rows(orders_csv, shop_ids, shops_source=shops_source, bounds=bounds)
    return tuple(o for _, o in rows)


def read_order_rows(
    orders_csv: str | Path,
    shop_ids: set[str],
    *,
    shops_source: str = "the shops file",
    bounds: Bounds | None = None,
    own_shop: str | None = None,
    per_shop: bool = False,
    locate: Locate | None = None,
    placements: Placements | None = None,
) -> tuple[tuple[int, Order], ...]:
    """:func:`read_orders` with each order's row (its line in the file), for the
    store's import, whose ids are scoped per shop (:mod:`logistics.ids`).

    With ``own_shop`` (a shop's file), an empty ``shop_id`` is that shop and any other
    is refused, saying only that it is not the shop's (never whether it exists). With
    ``per_shop``, an order id needs to be unique within its shop only (the hub counting
    as one), so that two shops' orders of the same id may share a file.

    A row without coordinates is placed by its ``customer_address`` with ``locate``
    (``placements`` learns the answers); an address it cannot place refuses the file,
    naming the row and ``customer_address``."""
    area = _Area(bounds, allow_outside=False) if bounds is not None else None
    return _read_orders(Path(orders_csv), shop_ids, area, shops_source, own_shop=own_shop,
                        per_shop=per_shop, locate=locate, placements=placements)


@dataclass(frozen=True)
class NotPlaced:
    """Why an address could not be placed: the problem, and its code and figures for the
    French sentence (:mod:`logistics.refusal_wording`)."""

    problem: str
    code: str | None = None
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)


#: how a reader places an address: the point (with the geocoder's answer) or the problem
Locate = Callable[[str], "Candidate | str | NotPlaced"]


@dataclasses.dataclass
class Placements:
    """What a reader learnt of addresses: the rows placed by their address (by shop and
    order id) and, when it may leave them out, those it could not place."""

    placed: dict[tuple[str | None, str], Candidate] = dataclasses.field(default_factory=dict)
    unplaced: dict[str, str] = dataclasses.field(default_factory=dict)


def _locate(row: _Row, locate: Locate | None, placements: Placements | None,
            key: tuple[str | None, str], lenient: bool, area: _Area | None) -> tuple[float, float]:
    """The point of a row given by its ``customer_address`` (both coordinates empty),
    inside the area (unless the area allows outside points)."""
    address = row.text("customer_address", required=False, max_length=limits.ADDRESS_LENGTH)
    if address is None:
        raise row.error("customer_lon/customer_lat",
                        "are empty: give the customer's point or their customer_address")
    if locate is None:
        raise row.error("customer_lon/customer_lat",
                        "are empty, and no geocoder places customer_address here: give the point")
    found = locate(address)
    if isinstance(found, str):
        found = NotPlaced(found)
    if isinstance(found, NotPlaced):
        if lenient and placements is not None:
            placements.unplaced[key[1]] = found.problem
            return math.nan, math.nan
        raise row.error("customer_address", found.problem, found.code, **found.params)
    if area is not None and area.bounds is not None and not area.allow_outside \
            and not _inside(area.bounds, found.lon, found.lat):
        raise row.error("customer_address", f"{found.label!r} is outside the service area",
                        "outside_area", where=found.label)
    if placements is not None:
        placements.placed[key] = found
    return found.lon, found.lat


def _read_orders(
    path: Path, shop_ids: set[str], bounds: _Area | None, shops_source: str = "the shops file",
    *, own_shop: str | None = None, per_shop: bool = False, locate: Locate | None = None,
    placements: Placements | None = None, lenient: bool = False,
) -> tuple[tuple[int, Order], ...]:
    orders: dict[tuple[str | None, str], tuple[int, Order]] = {}
    basket_first: dict[str, tuple[int, Order]] = {}
    # The columns of values that may be empty may be left out (a file of addresses
    # has no coordinates; a shop's own file needs no shop_id).
    for row in _rows(path, ORDER_COLUMNS, optional=OPTIONAL_ORDER_COLUMNS):
        order_id = row.ident("order_id")
        shop_id = row.optional_ident("shop_id")
        if own_shop is not None:
            if shop_id not in (None, own_shop):
                raise row.error(
                    "shop_id", f"{shop_id!r} is not your shop: a shop's file holds only its "
                    f"own orders (shop_id {own_shop!r} or empty)",
                    "not_your_shop", shop_id=shop_id, own=own_shop,
                )
            shop_id = own_shop
        key = (shop_id if per_shop else None, order_id)
        if key in orders:
            whose = f" of {shop_id or 'the hub'}" if per_shop and own_shop is None else ""
            raise row.error(
                "order_id", f"duplicate order id {order_id!r}{whose} (first in row {orders[key][0]})",
                "duplicate_id", id=order_id, first_row=orders[key][0],
            )
        if shop_id is not None and shop_id not in shop_ids:
            raise row.error("shop_id", f"unknown shop {shop_id!r} (not in {shops_source})",
                            "unknown_shop", shop_id=shop_id)
        basket_id = row.optional_ident("basket_id")
        if not (row.values.get("customer_lon", "").strip() or row.values.get("customer_lat", "").strip()):
            lon, lat = _locate(row, locate, placements, (shop_id, order_id), lenient, bounds)
        else:
            lon, lat = row.point("customer_lon", "customer_lat", bounds)
        weight = row.size("weight_kg", limits.MAX_WEIGHT_KG, "kg")
        volume = row.size("volume_l", limits.MAX_VOLUME_L, "L")
        ready = row.clock("ready_at", default=0)
        start, end = row.window(
            "deliver_from", "deliver_to", "the slot ends {} it begins", strict=True
        )
        if ready > end:
            raise row.error(
                "ready_at",
                f"ready at {format_clock(ready)}, after the slot ends ({format_clock(end)})",
                "ready_after_slot", ready=format_clock(ready), slot_end=format_clock(end),
            )
        order = Order(order_id, shop_id, basket_id, lon, lat, weight, volume, ready, start, end)
        if basket_id is not None:
            line, first = basket_first.setdefault(basket_id, (row.line, order))
            if (first.customer_lon, first.customer_lat) != (lon, lat) and not math.isnan(lon):
                raise row.error(
                    "customer_lon/customer_lat",
                    f"basket {basket_id!r} goes to ({_deg(first.customer_lon)}, "
                    f"{_deg(first.customer_lat)}) in row {line} but to ({_deg(lon)}, "
                    f"{_deg(lat)}) here: the orders of a basket go to one customer",
                )
            if (first.deliver_from, first.deliver_to) != (start, end):
                raise row.error(
                    "deliver_from/deliver_to",
                    f"basket {basket_id!r} has the slot {format_clock(first.deliver_from)}-"
                    f"{format_clock(first.deliver_to)} in row {line} but "
                    f"{format_clock(start)}-{format_clock(end)} here: the orders of a "
                    "basket share one slot",
                )
        orders[key] = (row.line, order)
    if not orders:
        raise InputError(str(path), 2, None, "there are no orders (only the header row)", "no_orders")
    return tuple(orders.values())


def _read_couriers(path: Path, bounds: _Area | None) -> tuple[Courier, ...]:
    couriers: dict[str, tuple[int, Courier]] = {}
    for row in _rows(path, COURIER_COLUMNS):
        courier_id = row.ident("courier_id")
        if courier_id in couriers:
            raise row.error(
                "courier_id",
                f"duplicate courier id {courier_id!r} (first in row {couriers[courier_id][0]})",
            )
        mode = row.text("mode") or ""
        if mode not in MODES:
            raise row.error("mode", f"unknown mode {mode!r}: expected {' or '.join(MODES)}")
        capacity_kg = row.size("capacity_kg", limits.MAX_CAPACITY_KG, "kg")
        capacity_l = row.size("capacity_l", limits.MAX_CAPACITY_L, "L")
        shift = row.window("shift_start", "shift_end", "the shift ends {} it starts", strict=True)
        start = row.point("start_lon", "start_lat", bounds)
        has_end = [row.text(f, required=False) is not None for f in ("end_lon", "end_lat")]
        if any(has_end) and not all(has_end):
            raise row.error(
                "end_lat" if has_end[0] else "end_lon", "is empty (give both or neither)"
            )
        end = row.point("end_lon", "end_lat", bounds) if all(has_end) else start
        courier = Courier(courier_id, mode, capacity_kg, capacity_l, *shift, *start, *end)
        couriers[courier_id] = (row.line, courier)
    if not couriers:
        raise InputError(str(path), 2, None, "there are no couriers (only the header row)")
    return tuple(c for _, c in couriers.values())


def read_day_inputs(
    shops_csv: str | Path,
    orders_csv: str | Path,
    couriers_csv: str | Path,
    *,
    bounds: Bounds | None = None,
    outside: Literal["error", "allow"] = "error",
    locate: Locate | None = None,
) -> DayInputs:
    """Read and check the three CSV files of a day; raise :class:`InputError` on the first problem.

    With ``bounds=(west, south, east, north)`` (the street network's extent), every
    point must fall inside: a point that would fall inside with lon and lat exchanged
    is reported as swapped, any other as outside the area (with ``outside="allow"``
    such a point is accepted: the planner then leaves its order out as off the
    network, so that one far-away address does not refuse the whole file). The shops file may hold no
    shop (every parcel at the hub); the orders and couriers files need one row each.

    An order without coordinates is placed by its ``customer_address`` with ``locate``;
    one it cannot place stays in the day, left out by the planner as ``address_unknown``
    (one bad address never fails the day).
    """
    if bounds is not None:
        w, s, e, n = bounds
        if not (w < e and s < n):
            msg = f"bounds must be (west, south, east, north) with west < east and south < north: {bounds}"
            raise ValueError(msg)
    area = _Area(bounds, outside == "allow") if bounds is not None else None
    shops = _read_shops(Path(shops_csv), area)
    placements = Placements()
    orders = tuple(o for _, o in _read_orders(
        Path(orders_csv), {s.shop_id for s in shops}, area, locate=locate, placements=placements,
        lenient=True))
    couriers = _read_couriers(Path(couriers_csv), area)
    return DayInputs(shops, orders, couriers, dict(placements.unplaced))


# --------------------------------------------------------------------------- writing


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


_CLOCK_FIELDS = {
    "opens",
    "closes",
    "ready_at",
    "deliver_from",
    "deliver_to",
    "shift_start",
    "shift_end",
}


def _write_csv(path: Path, columns: tuple[str, ...], records: tuple[object, ...]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        for r in records:
            row = []
            for name in columns:
                value = getattr(r, name)
                row.append(format_clock(value) if name in _CLOCK_FIELDS else _cell(value))
            writer.writerow(row)


def write_day_inputs(day: DayInputs, out_dir: str | Path) -> dict[str, Path]:
    """Write ``shops.csv``, ``orders.csv`` and ``couriers.csv`` that read back to ``day``.

    Numbers are written in full (shortest exact form) so that reading the files gives
    the very same values. Returns the paths keyed by ``"shops"``, ``"orders"`` and
    ``"couriers"``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"shops": out / SHOPS_CSV, "orders": out / ORDERS_CSV, "couriers": out / COURIERS_CSV}
    _write_csv(paths["shops"], SHOP_COLUMNS, day.shops)
    _write_csv(paths["orders"], ORDER_COLUMNS, day.orders)
    _write_csv(paths["couriers"], COURIER_COLUMNS, day.couriers)
    return paths
