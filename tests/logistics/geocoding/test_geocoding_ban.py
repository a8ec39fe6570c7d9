"""The BAN client against a local HTTP server serving GeoCodeJSON answers in the format of
the Géoplateforme geocoding service (Douai addresses): what is asked, how answers become
candidates, and how refusals, slowness and broken answers are told apart. No internet."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from logistics.geocoding.ban import BACKOFF_S, MAX_WAIT_S, BanGeocoder, retry_wait_s
from logistics.geocoding.candidate import Candidate, GeocoderUnavailable

CONTEXT = "59, Nord, Hauts-de-France"


def feature(
    label: str,
    score: float,
    lon: float,
    lat: float,
    kind: str,
    **props: Any,
) -> dict[str, Any]:
    """One GeoCodeJSON feature as the service words it."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "label": label,
            "score": score,
            "type": kind,
            "postcode": "59500",
            "citycode": "59178",
            "city": "Douai",
            "context": CONTEXT,
            "importance": 0.62,
            "_type": "address",
            **props,
        },
    }


BELLAIN_12 = feature(
    "12 Rue de Bellain 59500 Douai",
    0.9712,
    3.079512,
    50.370534,
    "housenumber",
    id="59178_0330_00012",
    housenumber="12",
    name="12 Rue de Bellain",
    street="Rue de Bellain",
    x=703912.4,
    y=7030512.8,
)
BELLAIN = feature(
    "Rue de Bellain 59500 Douai",
    0.7134,
    3.079804,
    50.370912,
    "street",
    id="59178_0330",
    name="Rue de Bellain",
    street="Rue de Bellain",
)
PLACE_D_ARMES = feature(
    "Place d'Armes 59500 Douai",
    0.9641,
    3.080021,
    50.370018,
    "street",
    id="59178_0020",
    name="Place d'Armes",
    street="Place d'Armes",
)
LE_RAQUET = feature(
    "Le Raquet 59500 Douai",
    0.4821,
    3.117306,
    50.363741,
    "locality",
    id="59178_b042",
    name="Le Raquet",
)
DOUAI = feature(
    "Douai",
    0.5203,
    3.080003,
    50.371401,
    "municipality",
    id="59178",
    name="Douai",
    population=39700,
)


def collection(query: str, *features: dict[str, Any], limit: int = 5) -> dict[str, Any]:
    """A GeoCodeJSON answer to a search."""
    return {
        "type": "FeatureCollection",
        "version": "draft",
        "features": list(features),
        "attribution": "BAN",
        "licence": "ETALAB-2.0",
        "query": query,
        "filters": {"type": "address"},
        "limit": limit,
    }


@dataclass
class Reply:
    """One answer of the fake service: status, body (JSON when not bytes), headers, and
    how long it waits before answering."""

    body: dict[str, Any] | bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass
class Asked:
    """One request the fake service received."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


class FakeBan:
    """A local stand-in for the service: replies queued per path (the last one repeats)
    and every request recorded."""

    def __init__(self) -> None:
        self.replies: dict[str, list[Reply]] = {}
        self.asked: list[Asked] = []
        self.released = threading.Event()
        self.lock = threading.Lock()
        self.base_url = ""

    def answer(self, path: str, *replies: Reply) -> None:
        self.replies[path] = list(replies)

    def next_reply(self, path: str) -> Reply:
        with self.lock:
            queue = self.replies.get(path)
            if not queue:
                return Reply(status=404, body={"code": 404, "message": "not found"})
            return queue.pop(0) if len(queue) > 1 else queue[0]


def handler_for(ban: FakeBan) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path = parts.path.rsplit("/", 1)[-1]
            with ban.lock:
                ban.asked.append(Asked(path, parse_qs(parts.query), dict(self.headers.items())))
            reply = ban.next_reply(path)
            if reply.delay_s:
                ban.released.wait(reply.delay_s)
            body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up first (the timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def ban(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBan]:
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")
    fake = FakeBan()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(fake))
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}/geocodage"
    try:
        yield fake
    finally:
        fake.released.set()
        server.shutdown()
        server.server_close()
        thread.join()


def geocoder(ban: FakeBan, **options: Any) -> BanGeocoder:
    return BanGeocoder(base_url=ban.base_url, **options)


def test_a_search_sends_the_text_and_the_limit_with_a_user_agent(ban: FakeBan) -> None:
    ban.answer("search", Reply(collection("12 Rue de Bellain Douai", BELLAIN_12, limit=3)))
    geocoder(ban).search("  12 Rue de Bellain Douai ", limit=3)
    [asked] = ban.asked
    assert asked.path == "search"
    assert asked.query == {"q": ["12 Rue de Bellain Douai"], "limit": ["3"]}
    assert "douai-delivery" in asked.headers["User-Agent"]


def test_a_postcode_is_sent_when_given(ban: FakeBan) -> None:
    ban.answer("search", Reply(collection("Place d'Armes", PLACE_D_ARMES)))
    geocoder(ban).search("Place d'Armes", postcode="59500")
    assert ban.asked[0].query == {"q": ["Place d'Armes"], "limit": ["5"], "postcode": ["59500"]}


def test_a_housenumber_becomes_a_candidate_with_its_label_score_and_point(ban: FakeBan) -> None:
    ban.answer("search", Reply(collection("12 rue de bellain douai", BELLAIN_12)))
    assert geocoder(ban).search("12 rue de bellain douai") == [
        Candidate("12 Rue de Bellain 59500 Douai", 0.9712, 3.079512, 50.370534, "ban")
    ]


def test_candidates_keep_the_service_order(ban: FakeBan) -> None:
    ban.answer("search", Reply(collection("douai", PLACE_D_ARMES, BELLAIN_12, BELLAIN)))
    labels = [c.label for c in geocoder(ban).search("douai")]
    assert labels == [
        "Place d'Armes 59500 Douai",
        "12 Rue de Bellain 59500 Douai",
        "Rue de Bellain 59500 Douai",
    ]


def test_no_more_candidates_than_the_limit_are_returned(ban: FakeBan) -> None:
    # the service sends more than asked: the client still keeps its word
    ban.answer("search", Reply(collection("douai", BELLAIN_12, PLACE_D_ARMES, BELLAIN)))
    found = geocoder(ban).search("douai", limit=2)
    assert [c.label for c in found] == [
        "12 Rue de Bellain 59500 Douai",
        "Place d'Armes 59500 Douai",
    ]


def test_a_municipality_is_dropped_but_a_locality_is_kept(ban: FakeBan) -> None:
    ban.answer("search", Reply(collection("douai", DOUAI, LE_RAQUET, BELLAIN)))
    labels = [c.label for c in geocoder(ban).search("douai")]
    assert labels == ["Le Raquet 59500 Douai", "Rue de Bellain 59500 Douai"]


def test_a_feature_without_coordinates_is_skipped(ban: FakeBan) -> None:
    pointless = {**BELLAIN_12, "geometry": None}
    ban.answer("search", Reply(collection("bellain", pointless, BELLAIN)))
    assert [c.label for c in geocoder(ban).search("bellain")] == ["Rue de Bellain 59500 Douai"]


def test_candidates_below_the_minimum_score_are_dropped(ban: FakeBan) -> None:
    ban.answer("search", Reply(collection("bellain", BELLAIN_12, BELLAIN)))
    found = geocoder(ban, min_score=0.8).search("bellain")
    assert [c.label for c in found] == ["12 Rue de Bellain 59500 Douai"]


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_an_empty_text_finds_nothing_without_asking(ban: FakeBan, text: str) -> None:
    assert geocoder(ban).search(text) == []
    assert ban.asked == []


def test_reverse_asks_for_the_point_and_returns_the_nearest_address(ban: FakeBan) -> None:
    nearest = {**BELLAIN_12, "properties": {**BELLAIN_12["properties"], "distance": 4}}
    ban.answer("reverse", Reply(collection("3.0795, 50.3705", nearest, limit=1)))
    found = geocoder(ban).reverse(3.0795, 50.3705)
    assert found == Candidate("12 Rue de Bellain 59500 Douai", 0.9712, 3.079512, 50.370534, "ban")
    [asked] = ban.asked
    assert asked.path == "reverse"
    assert asked.query == {"lon": ["3.0795"], "lat": ["50.3705"], "limit": ["1"]}


def test_reverse_finds_nothing_when_the_nearest_is_a_municipality_or_none(ban: FakeBan) -> None:
    ban.answer("reverse", Reply(collection("", DOUAI)), Reply(collection("")))
    assert geocoder(ban).reverse(3.08, 50.3714) is None
    assert geocoder(ban).reverse(3.08, 50.3714) is None


def test_a_429_is_retried_then_answered_after_a_short_wait(ban: FakeBan) -> None:
    ban.answer(
        "search",
        Reply(status=429, body={"code": 429, "message": "Too Many Requests"}),
        Reply(collection("place d'armes douai", PLACE_D_ARMES)),
    )
    start = time.monotonic()
    found = geocoder(ban).search("place d'armes douai")
    waited = time.monotonic() - start
    assert [c.label for c in found] == ["Place d'Armes 59500 Douai"]
    assert len(ban.asked) == 2
    assert BACKOFF_S * 0.9 <= waited < 1.5


def test_a_429_every_time_makes_the_service_unavailable_after_the_retries(ban: FakeBan) -> None:
    ban.answer("search", Reply(status=429, headers={"Retry-After": "0"}))
    with pytest.raises(GeocoderUnavailable, match="429"):
        geocoder(ban, retries=2).search("12 rue de bellain douai")
    assert len(ban.asked) == 3


def test_the_wait_after_a_429_follows_retry_after_up_to_a_cap_else_backs_off() -> None:
    assert retry_wait_s(None, 0) == BACKOFF_S
    assert retry_wait_s(None, 1) == BACKOFF_S * 2
    assert retry_wait_s("1", 0) == 1.0
    assert retry_wait_s("0", 3) == 0.0
    assert retry_wait_s("120", 0) == MAX_WAIT_S
    assert retry_wait_s("Wed, 21 Oct 2015 07:28:00 GMT", 0) == 0.0  # a date already past
    assert retry_wait_s("soon", 1) == BACKOFF_S * 2


def test_a_server_slower_than_the_timeout_makes_the_service_unavailable(ban: FakeBan) -> None:
    ban.answer("search", Reply(collection("douai", BELLAIN_12), delay_s=5.0))
    start = time.monotonic()
    with pytest.raises(GeocoderUnavailable, match="did not answer"):
        geocoder(ban, timeout_s=0.2).search("douai")
    assert time.monotonic() - start < 1.5


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_makes_the_service_unavailable(ban: FakeBan, status: int) -> None:
    ban.answer("search", Reply(status=status, body=b"<html>Bad Gateway</html>"))
    with pytest.raises(GeocoderUnavailable, match=str(status)):
        geocoder(ban).search("douai")
    assert len(ban.asked) == 1


@pytest.mark.parametrize(
    "body",
    [b"<html><body>Maintenance</body></html>", b'{"features": [', b"[]", b'{"code": 200}'],
)
def test_an_answer_that_is_not_geocodejson_makes_the_service_unavailable(
    ban: FakeBan, body: bytes
) -> None:
    ban.answer("search", Reply(body=body))
    with pytest.raises(GeocoderUnavailable, match="BAN answered"):
        geocoder(ban).search("douai")


def test_a_rejected_query_finds_nothing(ban: FakeBan) -> None:
    rejected = Reply(
        status=400,
        body={"code": 400, "message": "Failed parsing query", "detail": ["q: must contain"]},
    )
    ban.answer("search", rejected)
    ban.answer("reverse", rejected)
    assert geocoder(ban).search("d") == []
    assert geocoder(ban).reverse(200.0, 95.0) is None


def test_a_closed_port_makes_the_service_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("no_proxy", "*")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(GeocoderUnavailable, match="cannot reach BAN"):
        BanGeocoder(base_url=f"http://127.0.0.1:{port}", timeout_s=1.0).search("douai")
