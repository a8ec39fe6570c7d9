"""A shop's CSV refused at a row says what is wrong in French (``message`` in each entry
of the 422's ``detail``, beside its ``code``, ``params`` and the programmer's English
``problem``): the sentence a shopkeeper reads on ``/shop``, for each kind of problem."""

from __future__ import annotations

import pytest
from factories import shop_row
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.app import create_app
from logistics.store.users import create_user

HEADER = "order_id,customer_lon,customer_lat,weight_kg,volume_l,ready_at,deliver_from,deliver_to"
ROW = ["C1", "3.08", "50.37", "2", "10", "", "10:00", "12:00"]


@pytest.fixture(scope="module")
def client(engine):
    return TestClient(create_app(engine=engine))


@pytest.fixture(scope="module")
def shop(engine) -> dict[str, str]:
    with Session(engine) as s:
        s.add(shop_row("iw-shop", (3.0790, 50.3712)))
        s.flush()
        token = create_user(s, "shop", shop_id="iw-shop")[1]
        s.commit()
    return {"Authorization": f"Bearer {token}"}


def _file(**cells: str) -> str:
    row = dict(zip(HEADER.split(","), ROW, strict=True)) | cells
    return HEADER + "\n" + ",".join(row.values()) + "\n"


@pytest.mark.parametrize(("body", "field", "code", "message"), [
    (_file(weight_kg=""), "weight_kg", "value_empty", "La case est vide."),
    (_file(weight_kg='"2,5"'), "weight_kg", "not_a_number", "« 2,5 » n'est pas un nombre : écrivez 2.5, avec un point."),
    (_file(weight_kg="beaucoup"), "weight_kg", "not_a_number", "« beaucoup » n'est pas un nombre."),
    (_file(volume_l="-3"), "volume_l", "negative", "« -3 » est négatif."),
    (_file(weight_kg="5000"), "weight_kg", "too_large", "La valeur 5000 kg dépasse les "),
    (_file(deliver_from="10h"), "deliver_from", "not_a_time", "« 10h » n'est pas une heure comme 10:00."),
    (_file(deliver_from="14:00"), "deliver_to", "window_reversed", "La fin (12:00) doit venir après le début (14:00)."),
    (_file(ready_at="13:00"), "ready_at", "ready_after_slot", "Prêt à 13:00, c'est après la fin du créneau"),
    (_file(order_id="commande n°1"), "order_id", "bad_id", "La référence « commande n°1 » n'est pas acceptée"),
    (_file() + ",".join(ROW) + "\n", "order_id", "duplicate_id", "La référence « C1 » est déjà à la ligne 2."),
    (_file() + "C2,3.08,50.37,2,10,,10:00,12:00,en trop\n", "body", "too_many_values",
     "La ligne a 9 valeurs, mais la première ligne nomme 8 colonnes"),
    (HEADER.replace(",volume_l", "") + "\nC1,3.08,50.37,2,,10:00,12:00\n", "volume_l", "column_missing",
     "Cette colonne manque dans la première ligne du fichier."),
    (HEADER + "\n", "body", "no_orders", "Le fichier n'a aucune commande, seulement la première ligne."),
], ids=lambda v: v if isinstance(v, str) and v.isidentifier() else None)
def test_a_refused_row_is_said_in_french(client, shop, body, field, code, message):
    r = client.post("/api/orders/import", content=body.encode(), params={"date": "2031-09-17"},
                    headers={**shop, "Content-Type": "text/csv"})
    assert r.status_code == 422, r.text
    (entry,) = r.json()["detail"]
    assert (entry["field"], entry["code"]) == (field, code), entry
    assert entry["message"].startswith(message), entry
    assert entry["problem"]  # the programmer's English stays
    assert r.json()["message"] == entry["message"]


def test_a_file_that_is_not_utf8_is_said_in_french(client, shop):
    r = client.post("/api/orders/import", content=_file(order_id="Crème").encode("latin-1"),
                    params={"date": "2031-09-17"}, headers={**shop, "Content-Type": "text/csv"})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["message"] == (
        "Le fichier n'est pas en UTF-8 : enregistrez-le au format « CSV UTF-8 ».")
