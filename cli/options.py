"""What the subcommands share: argument types, the street-network and solver options,
and the one-line user error."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any, NoReturn

from logistics.settings import DEFAULT_PLACE, get_settings

#: the exit code of every error the user can fix
EXIT_USAGE = 2


class UserError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (the usage is in ``--help``)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def positive_float(text: str) -> float:
    """An argument that must be a number above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be positive")
    return value


def date(text: str) -> dt.date:
    """An argument that must be a day, ``YYYY-MM-DD``."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def int_list(text: str) -> list[int]:
    """An argument that must list positive whole numbers, comma-separated."""
    try:
        values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of whole numbers") from None
    if not values or any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"{text!r} must list positive whole numbers")
    return values


def add_network_options(p: argparse.ArgumentParser) -> None:
    """``--place`` or ``--osm``, the download cache and the speeds."""
    src = p.add_mutually_exclusive_group()
    src.add_argument(
        "--place",
        help=f"place name to download from OpenStreetMap once and cache under data/osm/ "
        f"(default: $OSM_SOURCE, else {DEFAULT_PLACE!r})",
    )
    src.add_argument("--osm", type=Path, help="local OpenStreetMap extract (.osm or .osm.pbf)")
    p.add_argument(
        "--cache-dir", type=Path, default=Path("data/osm"), help="where downloads are cached"
    )
    p.add_argument("--cargo-bike-kmh", type=positive_float, default=15.0, help="cargo bike speed (default 15)")
    p.add_argument("--foot-kmh", type=positive_float, default=4.5, help="walking speed (default 4.5)")
    p.add_argument(
        "--max-snap-m", type=positive_float, default=250.0,
        help="farthest a place may lie from a street of its mode (default 250)",
    )


def add_solver_options(p: argparse.ArgumentParser, default_limit: float) -> None:
    """The search's time and solution limits, seed, service times and courier cost."""
    p.add_argument(
        "--time-limit", type=positive_float, default=default_limit,
        help=f"seconds the solver may search (default {default_limit:g})",
    )
    p.add_argument(
        "--solution-limit", type=int, default=None,
        help="stop each search phase after this many solutions: the plan is then "
        "reproducible (with the same --seed)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed for reproducible choices")
    p.add_argument("--stop-time", type=int, default=60, help="seconds per stop: park, find the door (default 60)")
    p.add_argument("--pickup-service", type=int, default=60, help="seconds per parcel at a shop (default 60)")
    p.add_argument("--delivery-service", type=int, default=90, help="seconds per parcel at a customer (default 90)")
    p.add_argument(
        "--vehicle-cost", type=int, default=3 * 3600,
        help="one more courier is worth this many seconds of total round time (default 10800)",
    )


def network_source(args: argparse.Namespace) -> str | Path:
    """The extract given with --osm, else the place: --place, $OSM_SOURCE, Douai."""
    if args.osm is not None:
        if not args.osm.is_file():
            raise UserError(f"--osm: no such file: {args.osm}")
        return args.osm
    return args.place or get_settings().osm_source


def load_network(args: argparse.Namespace) -> Any:
    """The street network the options name, or a one-line error."""
    from routing.network import NetworkSettings, NetworkUnavailable
    from routing.network import load_network as load

    source = network_source(args)
    settings = NetworkSettings(
        cargo_bike_kmh=args.cargo_bike_kmh, foot_kmh=args.foot_kmh, max_snap_m=args.max_snap_m
    )
    try:
        return load(source, settings, cache_dir=args.cache_dir)
    except NetworkUnavailable as e:
        raise UserError(str(e)) from None
    except (OSError, ValueError) as e:
        raise UserError(f"cannot read the street network from {source}: {e}") from None


def address_locator(args: argparse.Namespace) -> Any:
    """How ``plan`` places an order given by its address: the ``GEOCODER`` sources
    (default: the extract's own addresses for ``--osm``, BAN then the extract for a
    place), each text asked once; an address it cannot place comes back as the problem
    (the order is then left out as ``address_unknown``)."""
    from logistics.geocoding.candidate import Candidate, GeocoderUnavailable
    from logistics.geocoding.geocoder import make_geocoder
    from routing.network.download import place_path

    settings = get_settings()
    source = network_source(args)
    local = isinstance(source, Path)
    osm_file = source if local else place_path(str(source), args.cache_dir or settings.osm_cache_dir)
    sources = settings.geocoder_sources_for(local)
    geocoder = make_geocoder(sources, osm_file, settings.geocoder_ban_url)
    asked: dict[str, Candidate | str] = {}

    def locate(text: str) -> Candidate | str:
        if text not in asked:
            try:
                found = geocoder.resolve(text)
            except GeocoderUnavailable as e:
                asked[text] = f"the address service does not answer ({e})"
                return asked[text]
            if found.status == "found" and found.best is not None:
                asked[text] = found.best
            elif found.candidates:
                asked[text] = f"{text!r} may be several places: " + "; ".join(
                    c.label for c in found.candidates[:3])
            else:
                asked[text] = f"{text!r}: no such address known"
        return asked[text]

    return locate


def store_error(e: Exception, *, tables: bool = False) -> UserError:
    """A database that cannot be reached (or has no tables yet) as one line."""
    if tables:
        return UserError("the database has no tables yet: run `douai-delivery db upgrade`")
    first = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
    return UserError(f"cannot reach the database ({first}); set DATABASE_URL")
