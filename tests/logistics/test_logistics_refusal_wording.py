"""Every refusal code has its French sentence, and a sentence without its figures is
not made up."""

from __future__ import annotations

from logistics.refusal_wording import TEXTS, refusal_text

#: figures enough for every sentence
PARAMS = {"plan_id": 7, "state": "queued", "order_id": "S1:O1", "day": "2031-05-13",
          "courier_id": "bike-01", "status": "delivered", "stop_id": 42, "kind": "return",
          "event": "returned", "done": "failed", "at": "23:10", "at_day": "2031-05-12",
          "orders": ["S1:O1", "S1:O2"], "where": "12 Rue X, 59500 Douai", "text": "12 rue X",
          "ready": "18:30", "slot_end": "18:00",
          # a file's rows
          "value": "2,5", "dot": "2.5", "unit": "kg", "maximum": 300, "start": "14:00", "end": "12:00",
          "length": 600, "id": "C1", "first_row": 2, "shop_id": "autre", "own": "S1",
          "columns": 8, "values": 9, "have": "order_id", "options": ["1 Rue X", "1 Rue X bis"],
          "swapped": "(3.08, 50.37)"}


def test_every_code_words_its_figures_in_french():
    for code in TEXTS:
        text = refusal_text(code, PARAMS)
        assert text, code
        assert text[0].isupper() or text.startswith(("«", PARAMS["courier_id"])), (code, text)
        assert text.endswith((".", ")")), (code, text)
    assert refusal_text("order_closed", PARAMS) == (
        "La commande S1:O1 est livrée : elle ne peut plus changer de livreur.")
    assert refusal_text("ready_after_slot", PARAMS) == (
        "Prêt à 18:30, c'est après la fin du créneau de livraison (18:00) : choisissez une heure plus tôt.")
    assert refusal_text("place_closed", PARAMS) == "La commande S1:O1 est livrée : son adresse ne change plus."
    assert refusal_text("plan_not_changeable", PARAMS).startswith("Le plan 7 est en attente de calcul")
    assert "un retour de colis" in refusal_text("stop_takes_no_event", PARAMS)
    assert refusal_text("unknown_courier", {"courier_id": ["a", "b"]}) == "Aucun livreur a, b."
    assert refusal_text("not_a_number", PARAMS) == "« 2,5 » n'est pas un nombre : écrivez 2.5, avec un point."
    assert refusal_text("not_a_number", {"value": "x", "dot": None}) == "« x » n'est pas un nombre."
    assert refusal_text("row_address_ambiguous", PARAMS).endswith("Par exemple : 1 Rue X ; 1 Rue X bis.")


def test_no_sentence_for_an_unknown_code_or_missing_figures():
    assert refusal_text(None, {}) is None
    assert refusal_text("nope", PARAMS) is None
    assert refusal_text("order_closed", {"order_id": "x"}) is None
