"""The French a dispatcher reads for the codes a plan carries.

The API keeps stable codes with their figures (an order's ``reason`` and ``facts``, a
change's ``reason`` and ``facts``); this module words them once, in French, for the
``detail`` fields the pages show. Figures are in the solver's units: grams, millilitres
(volumes are counted in thousandths of a litre) and seconds since midnight.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .timeofday import format_clock

#: an order's reason code, in a few French words
REASONS = {
    "too_heavy": "trop lourde",
    "too_bulky": "trop volumineuse",
    "slot_impossible": "créneau impossible à tenir",
    "shop_closed": "boutique fermée ou colis plus disponible",
    "unreachable": "aucun chemin jusqu'à l'adresse",
    "off_network": "hors des rues desservies",
    "no_courier_left": "aucun livreur n'a la place ou le temps",
    "invalid": "commande invalide",
    "address_unknown": "adresse introuvable",
    "with_absent_courier": "le colis est sur le vélo du livreur absent",
    "round_full": "sa tournée n'a plus ni la place ni le temps pour elle",
}


def _kg(grams: float) -> str:
    return f"{grams / 1000:.3g}".replace(".", ",") + " kg"


def _kg_text(kg: object) -> str:
    """Kilograms given as kilograms (a round's figures), in French."""
    value = _num(kg)
    return "?" if value is None else f"{value:.3g}".replace(".", ",") + " kg"


def _litres(millilitres: float) -> str:
    return f"{millilitres / 1000:.3g}".replace(".", ",") + " L"


def _num(x: object) -> float | None:
    return float(x) if isinstance(x, int | float) and not isinstance(x, bool) else None


def _clock(seconds: object) -> str:
    return format_clock(int(seconds)) if isinstance(seconds, int | float) else "?"


#: figures that are two times of day: their keys, and the sentence around them (the
#: first pair present wins)
_TWO_TIMES = (
    ("earliest_arrival", "window_end", "arrivée au plus tôt {}, le créneau finit à {}"),
    ("earliest_pickup", "pickup_end", "passage à la boutique au plus tôt {}, remise possible jusqu'à {}"),
    ("ready_at", "shop_closes", "prête à {}, après la fermeture de la boutique ({})"),
    ("shop_opens", "window_end", "la boutique ouvre à {}, après la fin du créneau ({})"),
    ("ready_at", "window_end", "prête à {}, après la fin du créneau ({})"),
    ("back_at", "shift_end", "retour au plus tôt {}, la journée du livreur finit à {}"),
    ("window_start", "window_end", "créneau {}–{}"),
)


def figures(facts: Mapping[str, object]) -> str:
    """The figures behind a reason, in French (empty when there are none)."""
    f = facts
    if "deliveries_in_slot" in f and "window_start" in f:
        return (f"créneau {_clock(f['window_start'])}–{_clock(f.get('window_end'))} : déjà "
                f"{f['deliveries_in_slot']} remise(s) prévue(s) dans ce créneau ; commande de "
                f"{_kg_text(f.get('order_kg'))}, chargement maximal prévu {_kg_text(f.get('round_max_kg'))} "
                f"sur {_kg_text(f.get('capacity_kg'))}")
    if "at_customer" in f or "at_shop" in f:
        place = "l'adresse du client" if "at_customer" in f else "la boutique"
        far = _num(f.get("distance_m"))
        if far is None:
            return f"{place} n'est pas un point valide ou est loin de toute rue desservie"
        away = f"{far / 1000:.1f}".replace(".", ",") + " km" if far >= 1000 else f"{far:.0f} m"
        return f"{place} est à {away} de la rue desservie la plus proche"
    for first, second, sentence in _TWO_TIMES:
        if first in f and second in f:
            return sentence.format(_clock(f[first]), _clock(f[second]))
    weight, volume, cap = _num(f.get("weight")), _num(f.get("volume")), _num(f.get("max_capacity"))
    if weight is not None and cap is not None:
        return f"{_kg(weight)}, le plus grand chargement possible est {_kg(cap)}"
    if volume is not None and cap is not None:
        return f"{_litres(volume)}, le plus grand volume possible est {_litres(cap)}"
    if weight is not None and volume is not None:
        return f"{_kg(weight)} et {_litres(volume)} ensemble"
    return ""


def reason_text(reason: str, facts: Mapping[str, object] | None = None) -> str:
    """An order's reason code and figures as one French phrase."""
    words = REASONS.get(reason, reason)
    more = figures(facts or {})
    return f"{words} ({more})" if more else words


def orders_list(order_ids: Sequence[str], most: int = 5) -> str:
    """Order ids for a sentence: the first ``most``, then how many more."""
    shown = ", ".join(order_ids[:most])
    rest = len(order_ids) - most
    return f"{shown} et {rest} autre(s)" if rest > 0 else shown


def change_text(reason: str, facts: Mapping[str, object]) -> str:
    """A change's outcome (applied or refused), from its code and figures, in French."""
    f = facts
    order = f.get("order_id", "?")
    courier = f.get("courier_id", "?")
    if reason == "moved":
        return f"Commande {order} confiée à {courier}, arrivée prévue à {_clock(f.get('arrival'))}."
    if reason == "late_orders":
        inserted = list(f.get("inserted", []))
        left = dict(f.get("left_out", {}))
        text = f"{len(inserted)} commande(s) tardive(s) ajoutée(s)"
        if inserted:
            text += " : " + orders_list(inserted)
        if left:
            text += "; hors tournée : " + "; ".join(
                f"{o} ({reason_text(r['reason'], r.get('facts'))})" for o, r in list(left.items())[:5]
            )
            if len(left) > 5:
                text += f" et {len(left) - 5} autre(s)"
        back = dict(f.get("returns", {}))
        if back:
            shop = [o for o, where in back.items() if where == "shop"]
            hub = [o for o, where in back.items() if where != "shop"]
            parts = ([f"au commerce : {orders_list(shop)}"] if shop else []) + (
                [f"au dépôt : {orders_list(hub)}"] if hub else [])
            text += f"; {len(back)} colis en échec à rapporter ({'; '.join(parts)})"
        return text + "."
    if reason == "absence":
        moved = dict(f.get("reassigned", {}))
        left = dict(f.get("left_out", {}))
        text = (f"{courier} absent(e) à partir de {_clock(f.get('from'))} : "
                f"{len(moved)} commande(s) confiée(s) à d'autres livreurs")
        if left:
            text += f"; {len(left)} sans livreur : " + "; ".join(
                f"{o} ({reason_text(r['reason'], r.get('facts'))})" for o, r in list(left.items())[:5]
            )
            if len(left) > 5:
                text += f" et {len(left) - 5} autre(s)"
        return text + "."
    if reason == "courier_not_on_plan":
        return f"{courier} n'a pas (ou plus) de tournée dans ce plan : rien n'a été changé."
    if reason == "order_not_placed":
        why = reason_text(str(f.get("order_reason", "")), f.get("order_facts"))
        return f"{courier} ne peut pas prendre la commande {order} : {why}."
    if reason == "orders_lost":
        lost = list(f.get("orders", []))
        return ("Refusé : la tournée ne tiendrait plus pour " + orders_list(lost)
                + " (retards sur la tournée en cours).")
    if reason == "order_closed":
        return f"La commande {order} est déjà {STATUSES.get(str(f.get('status')), f.get('status'))} : elle reste où elle est."
    if reason == "plan_not_in_force":
        return "Ce plan n'est plus celui en vigueur : rien n'a été changé."
    if reason == "day_over":
        return f"La journée du {f.get('day')} est terminée : rien n'a été changé."
    if reason == "busy":
        return "Les livreurs ont signalé des arrêts pendant le calcul, plusieurs fois : redemandez."
    return reason


def courier_text(code: str, facts: Mapping[str, object]) -> str:
    """Why a courier cannot ride the day, in French."""
    if code == "capacity_invalid":
        what = "en litres" if facts.get("field") == "capacity_l" else "en kg"
        return (f"capacité {what} non valide ou au-delà de ce que la plateforme accepte : "
                "corrigez la fiche du livreur")
    if code == "off_streets":
        far = _num(facts.get("metres"))
        where = f" (à {far:.0f} m de la rue la plus proche)" if far is not None else ""
        return f"point de départ ou d'arrivée hors des rues desservies{where}"
    return code


#: order statuses, as a dispatcher reads them
STATUSES = {
    "received": "reçue",
    "planned": "planifiée",
    "picked_up": "récupérée",
    "delivered": "livrée",
    "failed": "en échec",
    "cancelled": "annulée",
}
