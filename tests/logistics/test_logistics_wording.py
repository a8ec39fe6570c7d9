"""The French a dispatcher reads for a plan's codes: every reason worded, figures in
French units and times, every change outcome a sentence."""

from __future__ import annotations

import pytest

from logistics.wording import REASONS, change_text, reason_text
from routing.solution import Reason


def test_every_reason_of_the_solver_is_worded_in_french():
    for reason in Reason:
        assert reason.value in REASONS
        assert reason_text(reason.value) == REASONS[reason.value]


@pytest.mark.parametrize(("reason", "facts", "text"), [
    ("too_heavy", {"weight": 32_500, "max_capacity": 25_000},
     "trop lourde (32,5 kg, le plus grand chargement possible est 25 kg)"),
    ("too_bulky", {"volume": 420_000, "max_capacity": 300_000},
     "trop volumineuse (420 L, le plus grand volume possible est 300 L)"),
    ("slot_impossible", {"earliest_arrival": 61_500, "window_end": 61_200},
     "créneau impossible à tenir (arrivée au plus tôt 17:05, le créneau finit à 17:00)"),
    ("shop_closed", {"earliest_pickup": 68_400, "pickup_end": 68_000},
     "boutique fermée ou colis plus disponible (passage à la boutique au plus tôt 19:00, "
     "remise possible jusqu'à 18:53:20)"),
    ("no_courier_left", {}, "aucun livreur n'a la place ou le temps"),
    ("shop_closed", {"ready_at": 70_200, "shop_closes": 68_400},
     "boutique fermée ou colis plus disponible (prête à 19:30, après la fermeture de la boutique (19:00))"),
    ("slot_impossible", {"shop_opens": 36_000, "window_end": 32_400},
     "créneau impossible à tenir (la boutique ouvre à 10:00, après la fin du créneau (09:00))"),
    ("off_network", {"at_shop": 1, "distance_m": 1_240},
     "hors des rues desservies (la boutique est à 1,2 km de la rue desservie la plus proche)"),
    ("off_network", {"at_customer": 1, "distance_m": 420},
     "hors des rues desservies (l'adresse du client est à 420 m de la rue desservie la plus proche)"),
    ("some_new_code", {}, "some_new_code"),
])
def test_reasons_carry_their_figures(reason, facts, text):
    assert reason_text(reason, facts) == text


def test_change_outcomes_are_sentences():
    assert change_text("moved", {"order_id": "S1:A", "courier_id": "c2", "arrival": 37_800}) == (
        "Commande S1:A confiée à c2, arrivée prévue à 10:30.")
    refused = change_text("order_not_placed", {
        "order_id": "S1:A", "courier_id": "walker", "order_reason": "too_heavy",
        "order_facts": {"weight": 12_000, "max_capacity": 8_000}})
    assert refused == ("walker ne peut pas prendre la commande S1:A : trop lourde "
                       "(12 kg, le plus grand chargement possible est 8 kg).")
    full = change_text("order_not_placed", {
        "order_id": "S1:A", "courier_id": "bike-05", "order_reason": "round_full", "order_facts": {
            "window_start": 50_400, "window_end": 57_600, "deliveries_in_slot": 7, "order_kg": 2.5,
            "round_max_kg": 38.25, "capacity_kg": 80.0}})
    assert full == ("bike-05 ne peut pas prendre la commande S1:A : sa tournée n'a plus ni la place "
                    "ni le temps pour elle (créneau 14:00–16:00 : déjà 7 remise(s) prévue(s) dans ce "
                    "créneau ; commande de 2,5 kg, chargement maximal prévu 38,2 kg sur 80 kg).")
    absence = change_text("absence", {
        "courier_id": "c3", "from": 50_400, "reassigned": {"a": "c1", "b": "c2"},
        "left_out": {"c": {"reason": "with_absent_courier", "facts": {}}}})
    assert absence == ("c3 absent(e) à partir de 14:00 : 2 commande(s) confiée(s) à d'autres "
                       "livreurs; 1 sans livreur : c (le colis est sur le vélo du livreur absent).")
    late = change_text("late_orders", {"inserted": ["x"], "left_out": {
        "y": {"reason": "slot_impossible", "facts": {"earliest_arrival": 72_000, "window_end": 70_000}}}})
    assert late.startswith("1 commande(s) tardive(s) ajoutée(s) : x; hors tournée : y (créneau")
    for code in ("orders_lost", "order_closed", "plan_not_in_force", "day_over", "busy",
                 "courier_not_on_plan"):
        text = change_text(code, {"orders": ["a"], "order_id": "a", "status": "picked_up",
                                  "day": "2031-05-06", "courier_id": "c1"})
        assert text != code
        assert text.endswith("."), code
