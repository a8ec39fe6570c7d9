"""A stand-in for the Géoplateforme geocoding service on 127.0.0.1: GeoCodeJSON answers
for the addresses it knows, an empty collection otherwise, or 503 when told it is down;
it counts the requests it had."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from logistics.geocoding.normalise import fold


def feature(label: str, score: float, lon: float, lat: float, kind: str = "housenumber") -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"label": label, "score": score, "type": kind, "postcode": "59500",
                           "citycode": "59178", "city": "Douai", "context": "59, Nord, Hauts-de-France"}}


class BanStub:
    """What the stub knows (folded words of a query -> features) and its state."""

    def __init__(self, known: dict[str, list[dict]]) -> None:
        self.known = known
        self.down = False
        self.asked: list[str] = []
        self.url = ""

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, dict]:
        self.asked.append(path + "?" + "&".join(f"{k}={v[0]}" for k, v in sorted(query.items())))
        if self.down:
            return 503, {"code": 503, "message": "Service Unavailable"}
        text = fold(query.get("q", [""])[0])
        for words, features in self.known.items():
            if path.endswith("/search") and all(w in text for w in words.split()):
                return 200, {"type": "FeatureCollection", "features": features}
        return 200, {"type": "FeatureCollection", "features": []}


@contextmanager
def ban_stub(known: dict[str, list[dict]]) -> Iterator[BanStub]:
    """The stub serving on a free port (``stub.url`` is its base URL)."""
    stub = BanStub(known)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            parts = urlsplit(self.path)
            status, body = stub.answer(parts.path, parse_qs(parts.query))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stub.url = f"http://127.0.0.1:{server.server_address[1]}/geocodage"
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
