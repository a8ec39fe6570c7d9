"""Mode rules: which ways each mode uses, in which direction, at what speed.

Each case loads a small OSM XML file (a block of two-way streets and one diagonal way
carrying the tags under test) through ``load_network`` and reads the diagonal's edges.
"""

from __future__ import annotations

import math

import pytest

from routing.network import NetworkSettings
from routing.network.projection import Projector
from routing.network.rules import parse_maxspeed, way_rule

BOTH = {"forward", "backward"}
FWD = {"forward"}
BWD = {"backward"}
NONE: set[str] = set()


@pytest.mark.parametrize(
    ("tags", "bike", "foot", "car"),
    [
        ({"highway": "residential"}, BOTH, BOTH, BOTH),
        ({"highway": "residential", "oneway": "yes"}, FWD, BOTH, FWD),
        ({"highway": "residential", "oneway": "-1"}, BWD, BOTH, BWD),
        ({"highway": "residential", "junction": "roundabout"}, FWD, BOTH, FWD),
        ({"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"}, BOTH, BOTH, FWD),
        ({"highway": "residential", "oneway": "yes", "cycleway": "opposite"}, BOTH, BOTH, FWD),
        ({"highway": "residential", "oneway": "yes", "cycleway": "opposite_lane"}, BOTH, BOTH, FWD),
        (
            {"highway": "residential", "oneway": "yes", "cycleway:left": "opposite_lane"},
            BOTH,
            BOTH,
            FWD,
        ),
        (
            {"highway": "residential", "oneway": "-1", "cycleway:right": "opposite_track"},
            BOTH,
            BOTH,
            BWD,
        ),
        ({"highway": "cycleway", "oneway": "yes"}, FWD, NONE, NONE),
        ({"highway": "cycleway", "foot": "yes"}, BOTH, BOTH, NONE),
        ({"highway": "steps"}, NONE, BOTH, NONE),
        ({"highway": "steps", "bicycle": "yes"}, NONE, BOTH, NONE),
        ({"highway": "footway"}, NONE, BOTH, NONE),
        ({"highway": "footway", "bicycle": "yes"}, BOTH, BOTH, NONE),
        ({"highway": "footway", "bicycle": "designated"}, BOTH, BOTH, NONE),
        ({"highway": "path"}, BOTH, BOTH, NONE),
        ({"highway": "track"}, BOTH, BOTH, NONE),
        ({"highway": "pedestrian"}, BOTH, BOTH, NONE),
        ({"highway": "pedestrian", "bicycle": "no"}, NONE, BOTH, NONE),
        ({"highway": "motorway"}, NONE, NONE, FWD),
        ({"highway": "trunk"}, NONE, NONE, BOTH),
        ({"highway": "motorway_link", "oneway": "no"}, NONE, NONE, BOTH),
        ({"highway": "residential", "bicycle": "no"}, NONE, BOTH, BOTH),
        ({"highway": "residential", "access": "private"}, NONE, NONE, NONE),
        ({"highway": "residential", "access": "no", "foot": "yes"}, NONE, BOTH, NONE),
        ({"highway": "residential", "access": "private", "bicycle": "yes"}, BOTH, NONE, NONE),
        ({"highway": "service", "access": "destination"}, BOTH, BOTH, BOTH),
        ({"highway": "residential", "motor_vehicle": "no"}, BOTH, BOTH, NONE),
        ({"highway": "residential", "vehicle": "no"}, NONE, BOTH, NONE),
        ({"highway": "residential", "area": "yes"}, NONE, NONE, NONE),
        ({"highway": "construction"}, NONE, NONE, NONE),
        ({"highway": "proposed"}, NONE, NONE, NONE),
        ({"highway": "platform"}, NONE, NONE, NONE),
        ({"highway": "busway"}, NONE, NONE, NONE),
    ],
)
def test_directions_per_mode(square, way_speeds, tags, bike, foot, car):
    net = square(tags)
    assert set(way_speeds(net, "cargo_bike", 200)) == bike
    assert set(way_speeds(net, "foot", 200)) == foot
    assert set(way_speeds(net, "car", 200)) == car


def test_speeds_follow_the_settings(square, way_speeds):
    net = square({"highway": "residential"}, cargo_bike_kmh=12.0, foot_kmh=5.0)
    assert way_speeds(net, "cargo_bike", 200) == {"forward": 12.0, "backward": 12.0}
    assert way_speeds(net, "foot", 200) == {"forward": 5.0, "backward": 5.0}
    assert way_speeds(net, "car", 200) == {"forward": 30.0, "backward": 30.0}


def test_steps_are_walked_slower(square, way_speeds):
    net = square({"highway": "steps"})
    assert way_speeds(net, "foot", 200) == {"forward": 2.25, "backward": 2.25}


def test_bikes_are_pushed_at_walking_pace_where_they_must_dismount(square, way_speeds):
    dismount = square({"highway": "residential", "oneway": "yes", "bicycle": "dismount"})
    assert way_speeds(dismount, "cargo_bike", 200) == {"forward": 4.5, "backward": 4.5}
    footway = square({"highway": "footway", "bicycle": "dismount"})
    assert way_speeds(footway, "cargo_bike", 200) == {"forward": 4.5, "backward": 4.5}
    zone = square({"highway": "pedestrian"})
    assert way_speeds(zone, "cargo_bike", 200) == {"forward": 4.5, "backward": 4.5}
    no_push = square({"highway": "pedestrian"}, push_bikes_in_pedestrian_zones=False)
    assert way_speeds(no_push, "cargo_bike", 200) == {}
    ridden = square({"highway": "pedestrian", "bicycle": "yes"})
    assert way_speeds(ridden, "cargo_bike", 200) == {"forward": 15.0, "backward": 15.0}


def test_car_speed_from_maxspeed_and_class_capped_in_town(square, way_speeds):
    assert (
        way_speeds(square({"highway": "primary", "maxspeed": "70"}), "car", 200)["forward"] == 50.0
    )
    assert (
        way_speeds(square({"highway": "primary", "maxspeed": "FR:zone30"}), "car", 200)["forward"]
        == 30.0
    )
    assert way_speeds(square({"highway": "living_street"}), "car", 200)["forward"] == 20.0
    assert way_speeds(square({"highway": "primary"}), "car", 200)["forward"] == 50.0
    slow = square({"highway": "primary"}, car_speed_factor=0.5)
    assert way_speeds(slow, "car", 200)["forward"] == 25.0
    # a bike keeps under a lower limit
    assert (
        way_speeds(square({"highway": "residential", "maxspeed": "10"}), "cargo_bike", 200)[
            "forward"
        ]
        == 10.0
    )


def test_bollard_stops_cars_not_bikes(square, corners):
    """Cars drive up to the bollard but go round the block; bikes pass it."""
    net = square({"highway": "residential"}, node_tags={5: {"barrier": "bollard"}})
    sw_ne = [corners[1], corners[3]]
    _, car = net.graph("car").matrix(sw_ne)
    _, bike = net.graph("cargo_bike").matrix(sw_ne)
    assert car[0, 1] == pytest.approx(sum(block_sides(corners)), rel=1e-3)
    assert bike[0, 1] < 0.8 * car[0, 1]
    gate = square(
        {"highway": "residential"}, node_tags={5: {"barrier": "gate", "access": "private"}}
    )
    _, foot = gate.graph("foot").matrix(sw_ne)
    assert foot[0, 1] == pytest.approx(car[0, 1], rel=1e-3)


def block_sides(corners) -> tuple[float, float]:
    """Metres of the block's south and east sides."""
    p = Projector(*corners[1])
    x, y = p.to_xy([corners[i][0] for i in (1, 2, 3)], [corners[i][1] for i in (1, 2, 3)])
    return float(math.hypot(x[1] - x[0], y[1] - y[0])), float(math.hypot(x[2] - x[1], y[2] - y[1]))


def test_way_not_connected_both_ways_is_left_out(square, way_speeds):
    """A dead-end one-way cannot be left: it is not in the strongly connected part."""
    net = square({"highway": "residential"})
    assert net.graph("car").num_nodes == 4


@pytest.mark.parametrize(
    ("value", "kmh"),
    [("30", 30.0), ("20 mph", 32.19), ("FR:zone30", 30.0), ("FR:urban", 50.0), ("walk", 6.0),
     ("none", None), (None, None), ("50;30", 50.0)],
)  # fmt: skip
def test_parse_maxspeed(value, kmh):
    result = parse_maxspeed(value)
    assert (result if result is None else round(result, 2)) == kmh


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="unknown mode"):
        way_rule("horse", {"highway": "residential"}, NetworkSettings())
