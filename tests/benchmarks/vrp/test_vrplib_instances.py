"""Readers of Solomon and Li & Lim files, on hand-made texts and the real files."""

from __future__ import annotations

import pytest

from benchmarks.vrp.instances import (
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
    assert (tiny_lilim.vehicles, tiny_lilim.capacity) == (3, 20)
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
    """Every published file under the shared folder reads (Solomon, Gehring & Homberger,
    Li & Lim with their CRLF line ends and zero speeds), and each folder's BKS table
    names exactly its instances."""
    families = {"solomon": False, "lilim": True, "homberger200": False}
    for family, pdptw in families.items():
        folder = benchmarks / family
        if not folder.is_dir():
            continue
        paths = find_instance_files(folder)
        assert paths, family
        bks = read_bks(folder / "bks.csv")
        names = set()
        for path in paths:
            inst = read_instance(path)
            names.add(inst.name.lower())
            assert inst.is_pdptw == pdptw, inst.name
            assert inst.num_customers >= 100 or pdptw, inst.name
            assert lookup_bks(bks, inst.name) is not None, inst.name
        assert names == {k.lower() for k in bks}, family


def test_solomon_files_read_as_the_vrplib_package_reads_them(benchmarks):
    """An independent reader (``vrplib``, PyVRP's) gives the same fleet and nodes on
    every Solomon-format file, 200-customer ones included."""
    vrplib = pytest.importorskip("vrplib")
    paths = [p for family in ("solomon", "homberger200") if (benchmarks / family).is_dir()
             for p in find_instance_files(benchmarks / family)]
    assert paths
    for path in paths:
        ours = read_instance(path)
        theirs = vrplib.read_instance(str(path), instance_format="solomon", compute_edge_weights=False)
        assert (ours.vehicles, ours.capacity) == (theirs["vehicles"], theirs["capacity"]), path.name
        assert [(n.x, n.y) for n in ours.nodes] == [tuple(xy) for xy in theirs["node_coord"].tolist()]
        assert [n.demand for n in ours.nodes] == theirs["demand"].tolist()
        assert [(n.ready, n.due) for n in ours.nodes] == [tuple(w) for w in theirs["time_window"].tolist()]
        assert [n.service for n in ours.nodes] == theirs["service_time"].tolist()


LILIM_QUIRKS = "3\t20\t0\r\n0\t0\t0\t0\t0\t100\t0\t0\t0\r\n1\t3\t4\t10\t0\t50\t1\t0\t2\r\n" \
    "2\t6\t8\t-10\t0\t100\t1\t1\t0\r\n"


@pytest.mark.parametrize("text", [
    LILIM_QUIRKS,                                          # CRLF and a speed of 0
    "\ufeff" + LILIM_QUIRKS.replace("\r\n", "\n"),        # a byte-order mark
    LILIM_QUIRKS.replace("\t", "   ").replace("\r\n", "  \n") + "\n\n",  # spaces, trailing blanks
    LILIM_QUIRKS.replace("3\t20\t0", "3\t20\t2.5"),       # another speed: ignored too
])
def test_lilim_files_read_as_published(tmp_path, text):
    path = tmp_path / "llquirk.txt"
    path.write_bytes(text.encode())
    assert find_instance_files(tmp_path) == [path]
    inst = read_instance(path)
    assert (inst.name, inst.vehicles, inst.capacity, inst.pairs()) == ("llquirk", 3, 20, [(1, 2)])


def test_a_homberger_file_in_the_solomon_format_is_read(tmp_path, tiny_texts):
    """The 200-1,000 customer files: Solomon's layout, CRLF line ends, a lower-case
    stem as the BKS names it."""
    path = tmp_path / "c1_2_1.txt"
    path.write_bytes(tiny_texts["TINY.txt"].replace("\n", "\r\n").encode())
    inst = read_instance(path)
    assert (inst.name, inst.vehicles, inst.capacity, len(inst.nodes)) == ("c1_2_1", 3, 25, 5)
    assert instance_class(inst.name) == "c1"


def test_bks_table(benchmarks):
    """Vehicles and distance per instance, found whatever the case of the name."""
    bks = read_bks(benchmarks / "solomon" / "bks.csv")
    assert lookup_bks(bks, "c101") == lookup_bks(bks, "C101")
    c101 = lookup_bks(bks, "C101")
    assert c101 is not None
    assert c101.vehicles == 10
    assert c101.distance == pytest.approx(828.94)
    assert lookup_bks(bks, "nope") is None
