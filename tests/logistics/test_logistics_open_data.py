"""The open data's rules (pure): the grid by place, cells named by their south-west
corner, small cells grouped by 1 km cell, groups still small left out and counted."""

from __future__ import annotations

from logistics.open_data import CellFigures, cell_id, grid_srid, publish


def test_the_grid_is_inspire_in_europe_and_utm_elsewhere():
    assert grid_srid(3.08, 50.37) == grid_srid(8.69, 49.41) == 3035  # Douai, Heidelberg
    assert grid_srid(-73.57, 45.50) == 32618  # Montréal
    assert grid_srid(55.45, -20.88) == 32740  # Saint-Denis, La Réunion
    assert cell_id(3035, (7800, 6100)) == "CRS3035RES500mN3050000E3900000"


def test_small_cells_are_grouped_by_their_1_km_cell_or_left_out():
    cells = {
        (10, 10): CellFigures(7, 1, 3.0, 1.0),   # alone
        (12, 10): CellFigures(3, 0, 1.0, 0.5),   # with (13, 11): 5
        (13, 11): CellFigures(2, 2, 1.0, 0.5),
        (20, 20): CellFigures(4, 0, 1.0, 0.0),   # with nothing: left out
        (21, 21): CellFigures(0, 0, 0.0, 2.0),   # ridden through only
        (30, 30): CellFigures(0, 0, 0.0, 0.7),   # ridden through only, alone: no group counted
        (31, 31): CellFigures(),                  # nothing at all
    }
    out = publish(3035, cells, 5)
    assert [(a.cell_id, a.size, a.cells, a.figures.deliveries) for a in out.areas] == [
        ("CRS3035RES500mN5000E5000", 500, ((10, 10),), 7),
        ("CRS3035RES1000mN5000E6000", 1000, ((12, 10), (13, 11)), 5),
    ]
    assert out.areas[1].figures == CellFigures(5, 2, 2.0, 1.0)
    assert (out.suppressed_deliveries, out.suppressed_groups) == (4, 1)
    assert publish(3035, cells, 8).areas == ()
