"""The geocoding benchmark on a small extract the test writes: every written form is
measured, and the index places its own addresses."""

from __future__ import annotations

import csv

from geocoding_extracts import write_extract

from benchmarks.geocoding import FORMS, run_geocoding_benchmark


def test_the_offline_index_is_measured_form_by_form(tmp_path):
    extract = write_extract(tmp_path / "a.osm")
    summary = run_geocoding_benchmark(extract, tmp_path / "geo.csv", sample=50)
    assert summary["addresses"] >= 12
    assert summary["lookups_per_s"] > 0
    rows = list(csv.DictReader((tmp_path / "geo.csv").open(encoding="utf-8")))
    assert [r["form"] for r in rows] == list(FORMS)
    shares = {r["form"]: float(r["share"]) for r in rows}
    assert shares["label"] == 1.0
    assert shares["street_and_number"] >= 0.9
