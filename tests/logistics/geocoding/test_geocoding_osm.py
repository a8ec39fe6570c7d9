"""The offline geocoder: addresses read from an OSM extract (nodes, buildings,
interpolation lines) and found in French, German and Danish forms, with abbreviations,
accents, case and typos; an unknown address is not made up."""

from __future__ import annotations

import pytest
from geocoding_extracts import write_extract
from shared_data import shared_file

from logistics.geocoding.normalise import number_keys, parse, street_key
from logistics.geocoding.osm_index import AddressIndex


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return AddressIndex.from_osm(write_extract(tmp_path_factory.mktemp("osm") / "addresses.osm"))


def best(index, text):
    found = index.search(text)
    return found[0] if found else None


@pytest.mark.parametrize(("text", "label"), [
    ("12 rue de Bellain, 59500 Douai", "12 Rue de Bellain, 59500 Douai"),
    ("12 RUE DE BELLAIN 59500 DOUAI", "12 Rue de Bellain, 59500 Douai"),
    ("12 r. de Bellain, Douai", "12 Rue de Bellain, 59500 Douai"),
    ("Rue de Bellain 12, 59500 Douai", "12 Rue de Bellain, 59500 Douai"),
    ("5 pl. d'Armes, Douai", "5 Place d'Armes, 59500 Douai"),
    ("3bis r st Jacques 59500 Douai", "3 bis Rue Saint-Jacques, 59500 Douai"),
    ("3 bis rue Saint Jacques", "3 bis Rue Saint-Jacques, 59500 Douai"),
    ("Hindenburgstraße 12", "Hindenburgstraße 12, 69117 Heidelberg"),
    ("Hindenburgstr. 12, 69117 Heidelberg", "Hindenburgstraße 12, 69117 Heidelberg"),
    ("hindenburgstrasse 12", "Hindenburgstraße 12, 69117 Heidelberg"),
    ("Rømersgade 22, 1362 København K", "Rømersgade 22, 1362 København K"),
    ("Romersgade 22, 1362 Kobenhavn K", "Rømersgade 22, 1362 København K"),
    ("7 rue de la Mairie, Douai", "7 Rue de la Mairie, 59500 Douai"),  # a building way
    ("5 rue des Wetz, Douai", "5 Rue des Wetz, 59500 Douai"),  # on an interpolation line
])
def test_an_address_is_found_in_its_written_forms(index, text, label):
    found = best(index, text)
    assert found is not None, text
    assert (found.label, found.score, found.source) == (label, 1.0, "osm")


def test_a_typo_in_the_street_is_tolerated_with_a_lower_score(index):
    found = best(index, "12 rue de Belain, 59500 Douai")
    assert found.label == "12 Rue de Bellain, 59500 Douai"
    assert 0.8 <= found.score < 1.0
    assert best(index, "Hindenbrugstraße 12").label.startswith("Hindenburgstraße 12")


def test_the_place_picks_between_streets_of_the_same_name(index):
    assert best(index, "22 rue de Bellain, 59187 Dechy").label == "22 Rue de Bellain, 59187 Dechy"
    # 22 is only in Dechy: in Douai the street is right, the number is not.
    douai = best(index, "22 rue de Bellain, 59500 Douai")
    assert douai.label.endswith("59500 Douai")
    assert douai.score < 0.7


def test_an_interpolated_number_lies_between_the_line_s_ends(index):
    found = best(index, "5 rue des Wetz")
    assert 3.0900 < found.lon < 3.0940
    assert found.lat == pytest.approx(50.36)
    assert best(index, "4 rue des Wetz").score < 1.0, "an odd line holds no even number"


@pytest.mark.parametrize("text", ["1 rue Inconnue, 59500 Douai", "Nowhere 12", "", "12", ", ,"])
def test_an_unknown_address_gives_nothing(index, text):
    assert index.search(text) == []


def test_reverse_gives_the_nearest_address_within_reach(index):
    near = index.reverse(3.07952, 50.37051)
    assert near.label == "12 Rue de Bellain, 59500 Douai"
    assert index.reverse(3.2, 50.5) is None


def test_the_parts_of_a_written_address():
    a, b = parse("12 bis r. de Bellain, 59500 Douai"), parse("12bis rue de Bellain 59500 Douai")
    assert (a.number, street_key(a.street), a.postcode, a.place) == (
        b.number, street_key(b.street), b.postcode, b.place) == ("12bis", "rue bellain", "59500", "douai")
    q = parse("Rømersgade 22 B, 1362 København K")
    assert (q.number, q.street, q.postcode, q.place) == ("22b", "romersgade", "1362", "kobenhavn k")
    assert street_key("Bd de la Liberté") == street_key("boulevard  Liberte")
    assert number_keys("3-5") >= {"3", "4", "5"}


def test_the_shared_extracts_index_their_addresses():
    path = shared_file("osm", "heidelberg-centre.osm.pbf")
    index = AddressIndex.from_osm(path)
    assert len(index) >= 200
    misses = [a for a in index.addresses[:100] if (f := best(index, a.label())) is None
              or abs(f.lon - a.lon) > 1e-3 or abs(f.lat - a.lat) > 1e-3]
    assert len(misses) <= 5, misses[:5]


def test_reverse_falls_back_to_the_nearest_named_street():
    """Mulhouse's extract holds streets and no address: a point near a street is worded
    "près de" that street, with a low score; far from any, nothing."""
    index = AddressIndex.from_osm(shared_file("osm", "mulhouse-centre.osm.pbf"))
    assert len(index) == 0
    near = index.reverse(7.3355, 47.7500)
    assert near.label.startswith("près de ")
    assert near.score < 0.5
    assert index.reverse(7.5, 47.9) is None


def test_the_place_may_trail_the_street_without_a_comma(index):
    assert best(index, "12 rue de Bellain Douai").label == "12 Rue de Bellain, 59500 Douai"
    assert best(index, "Hindenburgstraße 12 Heidelberg").label.startswith("Hindenburgstraße 12")


def test_a_street_being_typed_is_offered_but_never_taken_without_a_choice(index):
    from logistics.geocoding.geocoder import decide

    found = index.search("12 rue de bel")
    assert found[0].label == "12 Rue de Bellain, 59500 Douai"
    assert found[0].score < 0.7
    assert decide(found).status == "ambiguous"
