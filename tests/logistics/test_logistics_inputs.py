"""Reading the day's CSV files: good files read back exactly, bad ones point at the cell."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from logistics.inputs import (
    Courier,
    DayInputs,
    InputError,
    Order,
    Shop,
    read_day_inputs,
    write_day_inputs,
)

SHOPS = """\
shop_id,name,lon,lat,opens,closes
S1,Boulangerie du Beffroi,3.0805,50.3705,07:00,19:30
S2,Fromagerie Saint-Pierre,3.079,50.369,09:00,19:00
"""
ORDERS = """\
order_id,shop_id,basket_id,customer_lon,customer_lat,weight_kg,volume_l,ready_at,deliver_from,deliver_to
O1,S1,,3.09,50.38,2.5,10,09:00,10:00,12:00
O2,S2,B1,3.07,50.36,1,4,10:00,14:00,16:00
O3,S1,B1,3.07,50.36,3,8,10:30,14:00,16:00
O4,,,3.1,50.39,12,70,,16:00,18:00
"""
COURIERS = """\
courier_id,mode,capacity_kg,capacity_l,shift_start,shift_end,start_lon,start_lat,end_lon,end_lat
C1,cargo_bike,100,300,08:30,13:00,3.0794,50.3703,3.0794,50.3703
C2,foot,25,60,13:00,20:00,3.0794,50.3703,,
"""
BOUNDS = (3.0, 50.3, 3.2, 50.45)
H = 3600

EXPECTED = DayInputs(
    shops=(
        Shop("S1", "Boulangerie du Beffroi", 3.0805, 50.3705, 7 * H, 19 * H + 1800),
        Shop("S2", "Fromagerie Saint-Pierre", 3.079, 50.369, 9 * H, 19 * H),
    ),
    orders=(
        Order("O1", "S1", None, 3.09, 50.38, 2.5, 10.0, 9 * H, 10 * H, 12 * H),
        Order("O2", "S2", "B1", 3.07, 50.36, 1.0, 4.0, 10 * H, 14 * H, 16 * H),
        Order("O3", "S1", "B1", 3.07, 50.36, 3.0, 8.0, 10 * H + 1800, 14 * H, 16 * H),
        Order("O4", None, None, 3.1, 50.39, 12.0, 70.0, 0, 16 * H, 18 * H),
    ),
    couriers=(
        Courier(
            "C1", "cargo_bike", 100.0, 300.0, 8 * H + 1800, 13 * H, 3.0794, 50.3703, 3.0794, 50.3703
        ),
        Courier("C2", "foot", 25.0, 60.0, 13 * H, 20 * H, 3.0794, 50.3703, 3.0794, 50.3703),
    ),
)

FILES = {"shops": SHOPS, "orders": ORDERS, "couriers": COURIERS}


def write(tmp_path: Path, **texts: str | bytes | None) -> dict[str, Path]:
    """The three files in tmp_path, with some replaced (None: not written)."""
    paths = {}
    for key, good in FILES.items():
        text = texts.get(key, good)
        path = tmp_path / f"{key}.csv"
        if isinstance(text, bytes):
            path.write_bytes(text)
        elif text is not None:
            path.write_text(text, encoding="utf-8")
        paths[key] = path
    return paths


def read(
    paths: dict[str, Path], bounds: tuple[float, float, float, float] | None = None
) -> DayInputs:
    return read_day_inputs(paths["shops"], paths["orders"], paths["couriers"], bounds=bounds)


def cell(row: int, field: str, value: str) -> Callable[[str], str]:
    """An edit of a CSV text setting the cell at line ``row`` (1-based) and column ``field``."""

    def edit(text: str) -> str:
        rows = list(csv.reader(io.StringIO(text)))
        rows[row - 1][rows[0].index(field)] = value
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        return out.getvalue()

    return edit


def cells(row: int, **values: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        for field, value in values.items():
            text = cell(row, field, value)(text)
        return text

    return edit


def drop_column(field: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        rows = list(csv.reader(io.StringIO(text)))
        i = rows[0].index(field)
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([r[:i] + r[i + 1 :] for r in rows])
        return out.getvalue()

    return edit


def header_only(text: str) -> str:
    return text.splitlines()[0] + "\n"


# --------------------------------------------------------------------------- good input


def test_reads_the_expected_values(tmp_path: Path) -> None:
    assert read(write(tmp_path)) == EXPECTED
    assert read(write(tmp_path), bounds=BOUNDS) == EXPECTED


def test_round_trip_through_write(tmp_path: Path) -> None:
    paths = write_day_inputs(EXPECTED, tmp_path / "out")
    assert set(paths) == {"shops", "orders", "couriers"}
    assert read(paths) == EXPECTED
    # writing what was read gives the same files again
    again = write_day_inputs(read(paths), tmp_path / "again")
    for key in paths:
        assert again[key].read_text(encoding="utf-8") == paths[key].read_text(encoding="utf-8")


def test_bom_crlf_semicolons_extra_columns_blank_lines_and_column_order(tmp_path: Path) -> None:
    shops = "\ufeff" + SHOPS.replace("\n", "\r\n")
    orders = ORDERS.replace(",", ";")
    rows = list(csv.reader(io.StringIO(COURIERS)))
    rows = [[*reversed(r), "note"] for r in rows]
    rows[1][-1] = "extra column, ignored"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    couriers = out.getvalue().replace("\n", "\n\n", 1)
    assert read(write(tmp_path, shops=shops, orders=orders, couriers=couriers)) == EXPECTED


def test_24_00_is_midnight_and_seconds_are_accepted(tmp_path: Path) -> None:
    shops = cells(2, closes="24:00", opens="7:00:30")(SHOPS)
    day = read(write(tmp_path, shops=shops))
    assert (day.shops[0].opens, day.shops[0].closes) == (7 * H + 30, 24 * H)


def test_non_ascii_names_survive(tmp_path: Path) -> None:
    shops = cell(2, "name", "Épicerie « Chez Zoé », 1er étage")(SHOPS)
    day = read(write(tmp_path, shops=shops))
    assert day.shops[0].name == "Épicerie « Chez Zoé », 1er étage"
    back = read(write_day_inputs(day, tmp_path / "out"))
    assert back == day


def test_message_is_one_line_naming_file_row_and_field(tmp_path: Path) -> None:
    paths = write(tmp_path, orders=cell(7 - 4, "weight_kg", "abc")(ORDERS))
    with pytest.raises(InputError) as e:
        read(paths)
    assert str(e.value) == f"{paths['orders']} row 3, field weight_kg: 'abc' is not a number"
    assert "\n" not in str(e.value)


# --------------------------------------------------------------------------- bad input

# (file, edit of that file's text or None to delete it, row, field, part of the problem, bounds)
BAD = {
    "missing file": ("orders", None, None, None, "file not found", False),
    "empty file": ("orders", lambda t: "", 1, None, "empty", False),
    "blank file": ("couriers", lambda t: "\n \n", 1, None, "empty", False),
    "no orders": ("orders", header_only, 2, None, "no orders", False),
    "no couriers": ("couriers", header_only, 2, None, "no couriers", False),
    "missing column": ("orders", drop_column("weight_kg"), 1, "weight_kg", "missing", False),
    "missing shop column": ("shops", drop_column("closes"), 1, "closes", "missing", False),
    "duplicate column": (
        "shops",
        lambda t: t.replace("name,", "lon,", 1),
        1,
        "lon",
        "twice",
        False,
    ),
    "unknown shop": ("orders", cell(2, "shop_id", "S9"), 2, "shop_id", "unknown shop 'S9'", False),
    "duplicate shop": (
        "shops",
        cell(3, "shop_id", "S1"),
        3,
        "shop_id",
        "duplicate shop id 'S1' (first in row 2)",
        False,
    ),
    "duplicate order": (
        "orders",
        cell(5, "order_id", "O2"),
        5,
        "order_id",
        "duplicate order id",
        False,
    ),
    "duplicate courier": (
        "couriers",
        cell(3, "courier_id", "C1"),
        3,
        "courier_id",
        "duplicate courier id",
        False,
    ),
    "empty order id": ("orders", cell(3, "order_id", " "), 3, "order_id", "is empty", False),
    "text in weight": (
        "orders",
        cell(2, "weight_kg", "abc"),
        2,
        "weight_kg",
        "'abc' is not a number",
        False,
    ),
    "decimal comma": ("orders", cell(2, "volume_l", "2,5"), 2, "volume_l", "use a dot", False),
    "text in capacity": (
        "couriers",
        cell(2, "capacity_l", "big"),
        2,
        "capacity_l",
        "not a number",
        False,
    ),
    "empty number": ("couriers", cell(3, "capacity_kg", ""), 3, "capacity_kg", "is empty", False),
    "nan weight": (
        "orders",
        cell(4, "weight_kg", "nan"),
        4,
        "weight_kg",
        "not a finite number",
        False,
    ),
    "inf volume": (
        "orders",
        cell(2, "volume_l", "inf"),
        2,
        "volume_l",
        "not a finite number",
        False,
    ),
    "overflowing lon": ("shops", cell(2, "lon", "1e400"), 2, "lon", "not a finite number", False),
    "nan lat": (
        "couriers",
        cell(2, "start_lat", "NaN"),
        2,
        "start_lat",
        "not a finite number",
        False,
    ),
    "negative weight": (
        "orders",
        cell(3, "weight_kg", "-1"),
        3,
        "weight_kg",
        "must not be negative",
        False,
    ),
    "negative volume": (
        "orders",
        cell(5, "volume_l", "-0.5"),
        5,
        "volume_l",
        "must not be negative",
        False,
    ),
    "negative capacity kg": (
        "couriers",
        cell(2, "capacity_kg", "-100"),
        2,
        "capacity_kg",
        "must not be negative",
        False,
    ),
    "negative capacity l": (
        "couriers",
        cell(3, "capacity_l", "-1"),
        3,
        "capacity_l",
        "must not be negative",
        False,
    ),
    "time with h": (
        "orders",
        cell(2, "ready_at", "9h00"),
        2,
        "ready_at",
        "'9h00' is not a time",
        False,
    ),
    "time 25:00": (
        "shops",
        cell(2, "closes", "25:00"),
        2,
        "closes",
        "between 00:00 and 24:00",
        False,
    ),
    "time 24:30": (
        "couriers",
        cell(3, "shift_end", "24:30"),
        3,
        "shift_end",
        "between 00:00 and 24:00",
        False,
    ),
    "minutes 60": ("orders", cell(3, "deliver_from", "12:60"), 3, "deliver_from", "between", False),
    "empty slot start": (
        "orders",
        cell(2, "deliver_from", ""),
        2,
        "deliver_from",
        "is empty",
        False,
    ),
    "lon out of range": ("shops", cell(3, "lon", "200"), 3, "lon", "not a longitude", False),
    "lat out of range": (
        "orders",
        cells(2, customer_lon="120", customer_lat="95"),
        2,
        "customer_lat",
        "not a latitude",
        False,
    ),
    "swapped by range": (
        "orders",
        cells(2, customer_lon="-33.8", customer_lat="151.2"),
        2,
        "customer_lon/customer_lat",
        "looks like lon and lat are swapped",
        False,
    ),
    "swapped in bounds": (
        "orders",
        cells(2, customer_lon="50.38", customer_lat="3.09"),
        2,
        "customer_lon/customer_lat",
        "looks like lon and lat are swapped",
        True,
    ),
    "swapped shop": ("shops", cells(3, lon="50.369", lat="3.079"), 3, "lon/lat", "swapped", True),
    "swapped courier end": (
        "couriers",
        cells(2, end_lon="50.3703", end_lat="3.0794"),
        2,
        "end_lon/end_lat",
        "swapped",
        True,
    ),
    "outside area": (
        "orders",
        cells(5, customer_lon="2.35", customer_lat="48.85"),
        5,
        "customer_lon/customer_lat",
        "outside the street network area",
        True,
    ),
    "courier outside": (
        "couriers",
        cells(3, start_lon="3.5", start_lat="50.37"),
        3,
        "start_lon/start_lat",
        "outside",
        True,
    ),
    "half an end point": (
        "couriers",
        cell(3, "end_lon", "3.08"),
        3,
        "end_lat",
        "give both or neither",
        False,
    ),
    "shift ends before start": (
        "couriers",
        cell(2, "shift_end", "08:00"),
        2,
        "shift_end",
        "the shift ends (08:00) before it starts (08:30)",
        False,
    ),
    "shift of no length": (
        "couriers",
        cell(2, "shift_end", "08:30"),
        2,
        "shift_end",
        "ends (08:30) when it starts",
        False,
    ),
    "slot ends before it begins": (
        "orders",
        cell(2, "deliver_to", "09:00"),
        2,
        "deliver_to",
        "the slot ends (09:00) before it begins (10:00)",
        False,
    ),
    "shop closes before opening": (
        "shops",
        cell(2, "closes", "06:00"),
        2,
        "closes",
        "the shop closes (06:00) before it opens (07:00)",
        False,
    ),
    "unknown mode": ("couriers", cell(3, "mode", "car"), 3, "mode", "unknown mode 'car'", False),
    "basket elsewhere": (
        "orders",
        cell(4, "customer_lon", "3.0701"),
        4,
        "customer_lon/customer_lat",
        "basket 'B1' goes to (3.07, 50.36) in row 3",
        False,
    ),
    "basket other slot": (
        "orders",
        cells(4, deliver_from="16:00", deliver_to="18:00"),
        4,
        "deliver_from/deliver_to",
        "basket 'B1' has the slot 14:00-16:00 in row 3",
        False,
    ),
    "too many values": (
        "shops",
        lambda t: t.replace("19:00\n", "19:00,x\n"),
        3,
        None,
        "has 7 values",
        False,
    ),
    "not utf-8": (
        "shops",
        lambda t: cell(3, "name", "Fromagerie Zoé")(t).encode("latin-1"),
        3,
        None,
        "not UTF-8",
        False,
    ),
    "row number counts blank lines": (
        "orders",
        lambda t: cell(3, "weight_kg", "x")(t).replace("\nO2", "\n\n\nO2"),
        5,
        "weight_kg",
        "not a number",
        False,
    ),
}


@pytest.mark.parametrize("case", BAD.keys())
def test_bad_input_names_file_row_and_field(tmp_path: Path, case: str) -> None:
    file, edit, row, field, problem, with_bounds = BAD[case]
    texts = {file: None if edit is None else edit(FILES[file])}
    paths = write(tmp_path, **texts)
    with pytest.raises(InputError) as e:
        read(paths, BOUNDS if with_bounds else None)
    err = e.value
    assert (err.file, err.row, err.field) == (str(paths[file]), row, field), str(err)
    assert problem in err.problem, str(err)
    assert "\n" not in str(err)
    assert str(err).startswith(str(paths[file]))


def test_swapped_douai_point_is_fine_without_bounds(tmp_path: Path) -> None:
    """(50.38, 3.09) is a valid point in the Indian Ocean: only bounds can tell."""
    orders = cells(2, customer_lon="50.38", customer_lat="3.09")(ORDERS)
    assert read(write(tmp_path, orders=orders)).orders[0].customer_lon == 50.38


def test_header_only_shops_are_allowed_when_every_parcel_is_at_the_hub(tmp_path: Path) -> None:
    orders = ORDERS.splitlines()[0] + "\nO1,,,3.09,50.38,2.5,10,09:00,10:00,12:00\n"
    day = read(write(tmp_path, shops=header_only(SHOPS), orders=orders))
    assert day.shops == ()
    assert day.orders[0].from_hub


def test_bad_bounds_are_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="west < east"):
        read(write(tmp_path), bounds=(3.2, 50.3, 3.0, 50.45))


def test_baskets_and_shop_lookup() -> None:
    assert [o.order_id for o in EXPECTED.baskets()["B1"]] == ["O2", "O3"]
    assert EXPECTED.shop_by_id()["S2"].name == "Fromagerie Saint-Pierre"


# --------------------------------------------------------------------------- the platform's bounds

# (file, edit, row, field, part of the problem): what the platform's limits refuse
OUT_OF_BOUNDS = {
    "NUL in an id": ("orders", cell(2, "order_id", "O\x001"), 2, "order_id", "NUL"),
    "NUL in an ignored column": (
        "orders", lambda t: t.replace("deliver_to\n", "deliver_to,note\n").replace(
            "12:00\nO2", "12:00,a\x00b\nO2"), 2, "note", "NUL"),
    "65-character order id": ("orders", cell(2, "order_id", "o" * 65), 2, "order_id", "at most 64"),
    "65-character basket id": ("orders", cell(3, "basket_id", "b" * 65), 3, "basket_id", "at most 64"),
    "65-character courier id": ("couriers", cell(2, "courier_id", "c" * 65), 2, "courier_id", "at most 64"),
    "201-character shop name": ("shops", cell(2, "name", "n" * 201), 2, "name", "at most 200"),
    "weight 1e308": ("orders", cell(2, "weight_kg", "1e308"), 2, "weight_kg", "1000 kg"),
    "weight inf": ("orders", cell(2, "weight_kg", "inf"), 2, "weight_kg", "not a finite number"),
    "volume NaN": ("orders", cell(2, "volume_l", "NaN"), 2, "volume_l", "not a finite number"),
    "volume 10001": ("orders", cell(2, "volume_l", "10001"), 2, "volume_l", "10000 L"),
    "capacity Infinity": (
        "couriers", cell(2, "capacity_kg", "Infinity"), 2, "capacity_kg", "not a finite number"),
    "capacity 1e6 L": ("couriers", cell(2, "capacity_l", "1e6"), 2, "capacity_l", "10000 L"),
    "customer at (0, 0)": (
        "orders", cells(2, customer_lon="0", customer_lat="0"), 2, "customer_lon/customer_lat",
        "(0, 0) is not a place"),
    "shop at (0, 0)": ("shops", cells(2, lon="0", lat="0.0"), 2, "lon/lat", "(0, 0)"),
    "zero-length slot": (
        "orders", cells(2, deliver_from="12:00", deliver_to="12:00"), 2, "deliver_to", "when it begins"),
    "ready after the slot ends": ("orders", cell(2, "ready_at", "12:30"), 2, "ready_at", "after the slot ends"),
    "full-width digits": ("orders", cell(2, "deliver_from", "１０:００"), 2, "deliver_from", "not a time"),
}


@pytest.mark.parametrize("case", OUT_OF_BOUNDS.keys())
def test_what_the_platform_cannot_take_is_named(tmp_path: Path, case: str) -> None:
    """Cells the planner or the store could not use (a weight that overflows the
    integer grams, a NUL that PostgreSQL refuses, an id longer than its column) are
    refused with the file, row and field, like any other bad cell."""
    file, edit, row, field, problem = OUT_OF_BOUNDS[case]
    paths = write(tmp_path, **{file: edit(FILES[file])})
    with pytest.raises(InputError) as e:
        read(paths)
    err = e.value
    assert (err.file, err.row, err.field) == (str(paths[file]), row, field), str(err)
    assert problem in err.problem, str(err)


def test_the_bounds_themselves_are_taken(tmp_path: Path) -> None:
    orders = cells(2, order_id="o" * 64, weight_kg="1000", volume_l="10000", ready_at="12:00")(ORDERS)
    couriers = cells(2, capacity_kg="1000", capacity_l="10000")(COURIERS)
    day = read(write(tmp_path, orders=orders, couriers=couriers))
    assert (day.orders[0].weight_kg, day.orders[0].volume_l) == (1000, 10000)
    assert day.couriers[0].capacity_kg == 1000
