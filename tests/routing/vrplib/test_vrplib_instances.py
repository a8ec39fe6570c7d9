"""Readers of Solomon and Li & Lim files, on hand-made texts and the real files."""

from __future__ import annotations

import pytest

from routing.vrplib.instances import (
    InstanceFormat,
    detect_format,
    find_instance_files,
    instance_class,
    lookup_bks,
    parse_instance,
    read_bks,
    read_instance,
)


def test_tiny_solomon_is_read(tiny):
    """Fleet, capacity and every column of a node come through."""
    assert tiny.format is InstanceFormat.SOLOMON
    assert tiny.name == "TINY"
    assert (tiny.vehicles, tiny.capacity) == (3, 25)
    assert len(tiny.nodes) == 5
    n4 = tiny.nodes[4]
    assert (n4.x, n4.y, n4.demand, n4.ready, n4.due, n4.service) == (-3, -4, 5, 40, 60, 1)
    assert not tiny.is_pdptw
    assert not n4.is_pickup
    assert not n4.is_delivery


def test_tiny_lilim_is_read(tiny_lilim):
    """Pairs name each other; deliveries keep their negative demand."""
    assert tiny_lilim.format is InstanceFormat.LILIM
    assert (tiny_lilim.vehicles, tiny_lilim.capacity, tiny_lilim.speed) == (3, 20, 1)
    assert tiny_lilim.pairs() == [(1, 2), (3, 4)]
    assert tiny_lilim.nodes[2].pickup == 1
    assert tiny_lilim.nodes[2].demand == -10
    assert tiny_lilim.depot.pickup is None
    assert tiny_lilim.depot.delivery is None


def test_format_is_told_by_content_not_name(tiny_texts):
    """A Solomon text and a Li & Lim text are recognised whatever they are called."""
    assert detect_format(tiny_texts["TINY.txt"]) is InstanceFormat.SOLOMON
    assert detect_format(tiny_texts["lltiny.txt"]) is InstanceFormat.LILIM
    assert parse_instance(tiny_texts["lltiny.txt"], name="C101").is_pdptw


@pytest.mark.parametrize("text", ["", "hello world\n", "1 2 3\n4 5 6\n", "instance,vehicles\n"])
def test_other_text_is_refused(text):
    """Anything else raises a ValueError."""
    with pytest.raises(ValueError, match="neither"):
        parse_instance(text)


def test_partners_must_name_each_other(tiny_texts):
    """A delivery naming the wrong pickup is refused."""
    bad = tiny_texts["lltiny.txt"].replace(
        "2\t6\t8\t-10\t0\t100\t1\t1\t0", "2\t6\t8\t-10\t0\t100\t1\t3\t0"
    )
    with pytest.raises(ValueError, match="do not name each other"):
        parse_instance(bad)


@pytest.mark.parametrize(
    ("name", "cls"),
    [("C101", "C1"), ("RC208", "RC2"), ("R112", "R1"), ("lc101", "lc1"), ("lrc204", "lrc2")],
)
def test_instance_class(name, cls):
    """The class is the letters and the first digit."""
    assert instance_class(name) == cls


def test_real_c101(benchmarks):
    """C101: 25 vehicles of 200, 100 customers, depot open 0-1236."""
    inst = read_instance(benchmarks / "solomon" / "C101.txt")
    assert inst.name == "C101"
    assert (inst.vehicles, inst.capacity, len(inst.nodes)) == (25, 200, 101)
    assert (inst.depot.x, inst.depot.y, inst.depot.due) == (40, 50, 1236)
    n1 = inst.nodes[1]
    assert (n1.x, n1.y, n1.demand, n1.ready, n1.due, n1.service) == (45, 68, 10, 912, 967, 90)


def test_real_lc101(benchmarks):
    """lc101: 53 pairs; node 3 is picked up and delivered at node 75."""
    inst = read_instance(benchmarks / "lilim" / "lc101.txt")
    assert inst.is_pdptw
    assert (inst.vehicles, inst.capacity, len(inst.nodes)) == (25, 200, 107)
    assert len(inst.pairs()) == 53
    assert inst.nodes[3].delivery == 75
    assert inst.nodes[75].pickup == 3


def test_every_shared_instance_reads_and_has_a_bks(benchmarks):
    """All 56 Solomon and both Li & Lim files read; each has a BKS row."""
    for family, count in (("solomon", 56), ("lilim", 2)):
        paths = find_instance_files(benchmarks / family)
        assert len(paths) == count
        bks = read_bks(benchmarks / family / "bks.csv")
        for path in paths:
            inst = read_instance(path)
            assert inst.is_pdptw == (family == "lilim")
            assert inst.num_customers == 100 or inst.is_pdptw
            assert lookup_bks(bks, inst.name) is not None, inst.name


def test_bks_table(benchmarks):
    """Vehicles and distance per instance, found whatever the case of the name."""
    bks = read_bks(benchmarks / "solomon" / "bks.csv")
    assert lookup_bks(bks, "c101") == lookup_bks(bks, "C101")
    c101 = lookup_bks(bks, "C101")
    assert c101 is not None
    assert c101.vehicles == 10
    assert c101.distance == pytest.approx(828.94)
    assert lookup_bks(bks, "nope") is None
