"""Readers for Solomon VRPTW and Li & Lim PDPTW instance files and their BKS tables.

Both formats describe one depot (node 0) and customers numbered from 1, with integer
coordinates, demands, time windows and service times. The format is told apart from
the file content, not from its name: a Solomon file names its blocks (``VEHICLE``,
``CUSTOMER``), a Li & Lim file starts with three numbers (vehicles, capacity, speed)
followed by rows of nine numbers.

Files are read as published, quirks included: any line ends (CRLF in most Li & Lim
files), a byte-order mark, tabs or spaces. The Li & Lim speed field is ignored: by the
convention every published result follows, travel time equals distance, and several
files give a speed of 0.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class InstanceFormat(StrEnum):
    """The two benchmark families this package reads."""

    SOLOMON = "solomon"
    LILIM = "lilim"


@dataclass(frozen=True)
class Node:
    """One row of an instance: the depot (``id`` 0) or a customer.

    ``demand`` keeps the file's sign: Li & Lim deliveries are negative. For a Li & Lim
    pickup, ``delivery`` names its delivery node; for a delivery, ``pickup`` names its
    pickup node. Both are None for Solomon customers, which are served from the depot.
    """

    id: int
    x: float
    y: float
    demand: int
    ready: float
    due: float
    service: float
    pickup: int | None = None
    delivery: int | None = None

    @property
    def is_pickup(self) -> bool:
        """True for the pick-up half of a Li & Lim pair."""
        return self.delivery is not None

    @property
    def is_delivery(self) -> bool:
        """True for the delivery half of a Li & Lim pair."""
        return self.pickup is not None


@dataclass(frozen=True)
class Instance:
    """A benchmark instance: fleet, capacity and nodes (``nodes[0]`` is the depot)."""

    name: str
    format: InstanceFormat
    vehicles: int
    capacity: int
    nodes: tuple[Node, ...]

    @property
    def depot(self) -> Node:
        """Node 0."""
        return self.nodes[0]

    @property
    def customers(self) -> tuple[Node, ...]:
        """Every node but the depot."""
        return self.nodes[1:]

    @property
    def is_pdptw(self) -> bool:
        """True for pickup-and-delivery (Li & Lim) instances."""
        return self.format is InstanceFormat.LILIM

    @property
    def num_customers(self) -> int:
        """Number of nodes to visit (for Li & Lim, twice the number of pairs)."""
        return len(self.nodes) - 1

    def pairs(self) -> list[tuple[int, int]]:
        """The (pickup, delivery) node pairs of a PDPTW instance, by pickup number."""
        return [(n.id, n.delivery) for n in self.customers if n.delivery is not None]

    @property
    def instance_class(self) -> str:
        """The class the instance belongs to, e.g. ``C1``, ``RC2``, ``lr1``."""
        return instance_class(self.name)


@dataclass(frozen=True)
class Bks:
    """A best-known solution: vehicles first, then distance."""

    vehicles: int
    distance: float


_CLASS_RE = re.compile(r"^([A-Za-z]+)_?(\d)")


def instance_class(name: str) -> str:
    """The class of an instance from its name: ``C101`` is C1, ``lrc204`` is lrc2.

    Parameters
    ----------
    name
        Instance name as in the BKS tables.

    Returns
    -------
    str
        Letters and the first digit, or the whole name when it does not fit.
    """
    m = _CLASS_RE.match(name)
    return m.group(1) + m.group(2) if m else name


def detect_format(text: str) -> InstanceFormat:
    """Tell a Solomon file from a Li & Lim file by their content.

    Raises
    ------
    ValueError
        When the text looks like neither.
    """
    upper = text.upper()
    if "VEHICLE" in upper and "CUSTOMER" in upper:
        return InstanceFormat.SOLOMON
    rows = [line.split() for line in text.splitlines() if line.strip()]
    if len(rows) >= 2 and len(rows[0]) == 3 and all(len(r) == 9 for r in rows[1:]):
        try:
            [float(v) for r in rows for v in r]
        except ValueError:
            pass
        else:
            return InstanceFormat.LILIM
    msg = "neither a Solomon nor a Li & Lim instance."
    raise ValueError(msg)


def _num(value: str) -> float:
    return float(value)


def _int(value: str) -> int:
    f = float(value)
    if not f.is_integer():
        msg = f"expected an integer, got {value!r}."
        raise ValueError(msg)
    return int(f)


def _parse_solomon(text: str, name: str | None) -> Instance:
    lines = [line.strip() for line in text.splitlines()]
    title = next((line for line in lines if line), "")
    vehicles = capacity = None
    nodes: list[Node] = []
    section = ""
    for line in lines:
        if not line:
            continue
        upper = line.upper()
        if upper.startswith("VEHICLE"):
            section = "vehicle"
            continue
        if upper.startswith("CUSTOMER"):
            section = "customer"
            continue
        fields = line.split()
        if not all(re.fullmatch(r"[-+]?\d+(\.\d*)?", f) for f in fields):
            continue  # a header row
        if section == "vehicle" and len(fields) == 2 and vehicles is None:
            vehicles, capacity = _int(fields[0]), _int(fields[1])
        elif section == "customer" and len(fields) == 7:
            i, x, y, q, ready, due, service = fields
            nodes.append(
                Node(_int(i), _num(x), _num(y), _int(q), _num(ready), _num(due), _num(service))
            )
    if vehicles is None or capacity is None:
        msg = "Solomon file: no VEHICLE block with number and capacity."
        raise ValueError(msg)
    return Instance(
        name=name or title,
        format=InstanceFormat.SOLOMON,
        vehicles=vehicles,
        capacity=capacity,
        nodes=tuple(nodes),
    )


def _parse_lilim(text: str, name: str | None) -> Instance:
    rows = [line.split() for line in text.splitlines() if line.strip()]
    # The third header field (speed) is ignored: travel time equals distance.
    vehicles, capacity = _int(rows[0][0]), _int(rows[0][1])
    nodes = []
    for r in rows[1:]:
        i, x, y, q, ready, due, service, p, d = r
        pickup, delivery = _int(p), _int(d)
        nodes.append(
            Node(
                _int(i),
                _num(x),
                _num(y),
                _int(q),
                _num(ready),
                _num(due),
                _num(service),
                pickup=pickup or None,
                delivery=delivery or None,
            )
        )
    return Instance(
        name=name or "lilim",
        format=InstanceFormat.LILIM,
        vehicles=vehicles,
        capacity=capacity,
        nodes=tuple(nodes),
    )


def _validate(inst: Instance) -> Instance:
    ids = [n.id for n in inst.nodes]
    if ids != list(range(len(ids))):
        msg = f"{inst.name}: nodes must be numbered 0, 1, 2... in order."
        raise ValueError(msg)
    if len(ids) < 2:
        msg = f"{inst.name}: no customer."
        raise ValueError(msg)
    if inst.vehicles <= 0 or inst.capacity < 0:
        msg = f"{inst.name}: the number of vehicles must be positive and the capacity not negative."
        raise ValueError(msg)
    if inst.is_pdptw:
        n = len(ids)
        for node in inst.customers:
            if node.is_pickup == node.is_delivery:
                msg = f"{inst.name}: node {node.id} must be exactly one of pickup or delivery."
                raise ValueError(msg)
            other = node.delivery if node.is_pickup else node.pickup
            assert other is not None
            if not 0 < other < n:
                msg = f"{inst.name}: node {node.id} names a missing partner {other}."
                raise ValueError(msg)
            partner = inst.nodes[other]
            back = partner.pickup if node.is_pickup else partner.delivery
            if back != node.id:
                msg = f"{inst.name}: nodes {node.id} and {other} do not name each other."
                raise ValueError(msg)
            if node.is_pickup and (node.demand < 0 or node.demand != -partner.demand):
                msg = f"{inst.name}: pair {node.id}-{other} has unbalanced demands."
                raise ValueError(msg)
    return inst


def parse_instance(text: str, name: str | None = None) -> Instance:
    """Parse an instance from its text, whichever of the two formats it is in.

    Parameters
    ----------
    text
        The file content.
    name
        Instance name; by default the Solomon title line (Li & Lim files have none).

    Raises
    ------
    ValueError
        When the text is in neither format or is inconsistent.
    """
    fmt = detect_format(text)
    inst = _parse_solomon(text, name) if fmt is InstanceFormat.SOLOMON else _parse_lilim(text, name)
    return _validate(inst)


def read_instance(path: str | Path) -> Instance:
    """Read a Solomon or Li & Lim file; the instance is named after the file stem."""
    path = Path(path)
    return parse_instance(_read_text(path), name=path.stem)


def _read_text(path: Path) -> str:
    """A published file's text: a byte-order mark dropped, any line ends, bytes that are
    not UTF-8 replaced (they only ever occur in comments and titles)."""
    return path.read_bytes().decode("utf-8-sig", errors="replace")


_SKIP_STEMS = {"readme", "bks", "source", "sources", "license"}


def find_instance_files(directory: str | Path, *, unreadable: bool = False) -> list[Path]:
    """Instance files under a directory (recursively), sorted by path.

    README, BKS, SOURCE and LICENSE files are skipped, as is every file that is in
    neither format, unless ``unreadable``: then every ``.txt`` or ``.vrp`` file is
    listed, so that a damaged instance shows up (as an error) instead of vanishing.
    """
    out = []
    for path in sorted(Path(directory).rglob("*")):
        if not path.is_file() or path.stem.lower() in _SKIP_STEMS:
            continue
        if path.suffix.lower() not in {".txt", ".vrp", ""}:
            continue
        if not (unreadable and path.suffix):
            try:
                detect_format(_read_text(path))
            except (ValueError, OSError):
                continue
        out.append(path)
    return out


def iter_instances(directory: str | Path) -> Iterator[Instance]:
    """Read every instance under a directory, in path order."""
    for path in find_instance_files(directory):
        yield read_instance(path)


def read_bks(path: str | Path) -> dict[str, Bks]:
    """Read a BKS table with columns ``instance, vehicles, distance``.

    Names are kept as written; look them up with :func:`lookup_bks`, which ignores case.
    """
    out: dict[str, Bks] = {}
    with Path(path).open(newline="") as fh:
        for row in csv.DictReader(fh):
            out[row["instance"].strip()] = Bks(int(row["vehicles"]), float(row["distance"]))
    return out


def lookup_bks(bks: dict[str, Bks], name: str) -> Bks | None:
    """The BKS of an instance, matching its name without regard to case."""
    if name in bks:
        return bks[name]
    lowered = {k.lower(): v for k, v in bks.items()}
    return lowered.get(name.lower())
