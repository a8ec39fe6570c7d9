"""The French a person reads for a refused request, from its stable code and figures.

A refusal (:class:`~logistics.errors.DomainError`) may carry a ``code`` and its
``params``: the API puts both in the error body, beside ``message``, the sentence
worded here, which the pages show as it is. The ``detail`` stays the programmer's
English ("field: problem"), for logs and scripts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .wording import STATUSES

#: a plan's state, as a sentence says it
PLAN_STATES = {
    "queued": "en attente de calcul", "running": "en cours de calcul", "solved": "calculé",
    "failed": "en échec de calcul", "withdrawn": "retiré",
}
#: what a stop is, as a sentence says it
STOP_KINDS = {
    "start": "le départ de la tournée", "end": "la fin de la tournée", "pickup": "un retrait",
    "delivery": "une livraison", "return": "un retour de colis",
}
#: an event, as a sentence says it
EVENTS = {
    "arrived": "« Arrivé »", "picked_up": "« Récupéré »", "delivered": "« Remis »",
    "failed": "« Échec »", "returned": "« Rapporté »",
}


def _status(p: Mapping[str, Any]) -> str:
    return STATUSES.get(str(p["status"]), str(p["status"]))


def _ids(values: Any) -> str:
    return ", ".join(str(v) for v in values) if isinstance(values, list | tuple) else str(values)


TEXTS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    # changes to a plan in force
    "plan_not_changeable": lambda p: (
        f"Le plan {p['plan_id']} est {PLAN_STATES.get(p['state'], p['state'])} : "
        "seul un plan calculé et en vigueur peut être modifié."),
    "unknown_order": lambda p: f"Aucune commande {p['order_id']} le {p['day']}.",
    "unknown_courier": lambda p: f"Aucun livreur {_ids(p['courier_id'])}.",
    "order_closed": lambda p: (
        f"La commande {p['order_id']} est {_status(p)} : elle ne peut plus changer de livreur."),
    "already_on_round": lambda p: (
        f"La commande {p['order_id']} est déjà dans la tournée de {p['courier_id']}."),
    "courier_off_plan": lambda p: f"{p['courier_id']} est retiré(e) de la journée (absence).",
    "courier_not_on_plan": lambda p: f"{p['courier_id']} n'a pas de tournée dans ce plan.",
    "absence_queued": lambda p: f"L'absence de {p['courier_id']} est déjà en cours de traitement.",
    # plans
    "plan_in_force": lambda p: (
        f"Le plan {p['plan_id']} du {p['day']} est publié : déplacez des commandes ou déclarez "
        "une absence ; les commandes arrivées depuis y sont ajoutées."),
    "no_couriers": lambda p: "Choisissez au moins un livreur, ou aucun pour les prendre tous.",
    "plan_not_solved": lambda p: (
        f"Le plan {p['plan_id']} est {PLAN_STATES.get(p['state'], p['state'])} : seul un plan "
        "calculé peut être publié."),
    "plan_withdrawn": lambda p: (
        f"Le plan {p['plan_id']} a été retiré : demandez un nouveau plan du {p['day']}."),
    "plan_published_meanwhile": lambda p: (
        f"Le plan {p['plan_id']} du {p['day']} a été publié entre-temps : publiez à nouveau "
        "pour le remplacer."),
    "plan_under_way": lambda p: (
        f"Le plan {p['plan_id']} est en cours (des livreurs ont signalé des arrêts) : "
        "modifiez-le par des déplacements ou des absences."),
    "plan_not_published": lambda p: f"Le plan {p['plan_id']} n'est pas publié : rien à retirer.",
    # addresses
    "outside_area": lambda p: f"Hors de la zone de livraison : {p['where']}.",
    "address_unknown": lambda p: f"Adresse introuvable : {p['text']}. Vérifiez-la ou choisissez une proposition.",
    "address_ambiguous": lambda p: (
        f"L'adresse {p['text']} correspond à plusieurs lieux : choisissez la bonne parmi les "
        "propositions."),
    "row_address_unknown": lambda p: f"Adresse introuvable : {p['text']}.",
    "row_address_ambiguous": lambda p: (
        f"L'adresse {p['text']} correspond à plusieurs lieux : précisez-la (code postal, ville)."
        + (f" Par exemple : {' ; '.join(p['options'])}." if p.get("options") else "")),
    "geocoder_down": lambda p: (
        "Le service des adresses ne répond pas pour l'instant : réessayez dans quelques minutes."),
    "outside_service_area": lambda p: (
        f"Ce point est hors de la zone que couvrent les tournées : {p['where']}."),
    "looks_swapped": lambda p: (
        f"Le point {p['where']} semble avoir la longitude et la latitude inversées : "
        f"essayez {p['swapped']}."),
    "place_closed": lambda p: f"La commande {p['order_id']} est {_status(p)} : son adresse ne change plus.",
    # a shop's orders
    "ready_closed": lambda p: (
        f"La commande {p['order_id']} est {_status(p)} : l'heure où elle est prête ne compte plus."),
    "ready_after_slot": lambda p: (
        f"Prêt à {p['ready']}, c'est après la fin du créneau de livraison ({p['slot_end']}) : "
        "choisissez une heure plus tôt."),
    # a file's rows (CSV): what is wrong with the cell the page names
    "value_empty": lambda p: "La case est vide.",
    "not_a_number": lambda p: (
        f"« {p['value']} » n'est pas un nombre" + (
            f" : écrivez {p['dot']}, avec un point." if p.get("dot") else ".")),
    "negative": lambda p: f"« {p['value']} » est négatif.",
    "too_large": lambda p: (
        f"La valeur {p['value']} {p['unit']} dépasse les {p['maximum']} {p['unit']} que la "
        "plateforme accepte."),
    "not_a_time": lambda p: f"« {p['value']} » n'est pas une heure comme 10:00.",
    "window_reversed": lambda p: (
        f"La fin ({p['end']}) doit venir après le début ({p['start']})."),
    "too_long": lambda p: f"Le texte fait {p['length']} caractères : {p['maximum']} au plus.",
    "nul_character": lambda p: "La case contient un caractère invisible (NUL) : retapez-la.",
    "bad_id": lambda p: (
        f"La référence « {p['value']} » n'est pas acceptée : lettres sans accent, chiffres, "
        "« _ », « . » et « - » seulement, en commençant par une lettre ou un chiffre."),
    "duplicate_id": lambda p: f"La référence « {p['id']} » est déjà à la ligne {p['first_row']}.",
    "not_your_shop": lambda p: (
        f"« {p['shop_id']} » n'est pas votre commerce : laissez la colonne vide, le fichier ne "
        "contient que vos commandes."),
    "unknown_shop": lambda p: f"Commerce inconnu : « {p['shop_id']} ».",
    "bad_phone": lambda p: (
        f"« {p['value']} » n'est pas un numéro de téléphone (chiffres, espaces, points, tirets, "
        "un + au début)."),
    "bad_email": lambda p: f"« {p['value']} » n'est pas une adresse e-mail.",
    "not_utf8": lambda p: "Le fichier n'est pas en UTF-8 : enregistrez-le au format « CSV UTF-8 ».",
    "file_empty": lambda p: f"Le fichier est vide : la première ligne doit nommer les colonnes ({p['columns']}).",
    "column_twice": lambda p: "Cette colonne est deux fois dans la première ligne.",
    "column_missing": lambda p: "Cette colonne manque dans la première ligne du fichier.",
    "too_many_values": lambda p: (
        f"La ligne a {p['values']} valeurs, mais la première ligne nomme {p['columns']} "
        "colonnes : une virgule de trop ? Mettez entre guillemets un texte qui en contient."),
    "bad_csv": lambda p: "Le fichier n'est pas un CSV lisible (un guillemet non fermé ?).",
    "no_orders": lambda p: "Le fichier n'a aucune commande, seulement la première ligne.",
    # the customer's survey
    "survey_mode": lambda p: "Choisissez une des cinq réponses.",
    "survey_not_delivered": lambda p: "La question vient après la livraison.",
    "survey_answered": lambda p: "Vous avez déjà répondu : merci.",
    # a courier's events
    "stop_not_on_round": lambda p: f"L'arrêt {p['stop_id']} n'est pas sur votre tournée.",
    "event_other_day": lambda p: (
        f"L'heure de l'action ({p['at']}) tombe le {p['at_day']}, pas le jour de la tournée "
        f"({p['day']}) : vérifiez la date et l'heure du téléphone."),
    "reason_needed": lambda p: "Un échec demande une raison.",
    "stop_takes_no_event": lambda p: (
        f"L'arrêt {p['stop_id']} est {STOP_KINDS.get(p['kind'], p['kind'])} : il ne prend pas "
        "d'action."),
    "event_not_for_stop": lambda p: (
        f"{EVENTS.get(p['event'], p['event'])} ne va pas avec l'arrêt {p['stop_id']}, qui est "
        f"{STOP_KINDS.get(p['kind'], p['kind'])}."),
    "stop_finished": lambda p: (
        f"L'arrêt {p['stop_id']} est déjà terminé ({EVENTS.get(p['done'], p['done'])})."),
    "hub_return_cannot_fail": lambda p: (
        f"L'arrêt {p['stop_id']} rapporte des colis au dépôt : remettez-les là-bas "
        "(« Rapporté »)."),
    "arrive_first": lambda p: (
        f"L'arrêt {p['stop_id']} n'a pas encore « Arrivé » : signalez l'arrivée avant "
        f"{EVENTS.get(p['event'], p['event'])}."),
    "order_not_pickable": lambda p: (
        f"La commande {p['order_id']} est {_status(p)} : elle ne peut pas être récupérée."),
    "order_not_on_board": lambda p: (
        f"La commande {p['order_id']} est {_status(p)} : elle doit être récupérée avant d'être "
        "remise."),
    "nothing_left_at_stop": lambda p: (
        f"Plus rien à faire à l'arrêt {p['stop_id']} : commande(s) {_ids(p['orders'])} "
        "annulée(s) ou en échec."),
}


def refusal_text(code: str | None, params: Mapping[str, Any] | None) -> str | None:
    """The French sentence of a refusal's code, or None for a code without one (or
    figures missing: the caller then shows the English detail rather than a wrong
    sentence)."""
    text = TEXTS.get(code or "")
    if text is None:
        return None
    try:
        return text(params or {})
    except (KeyError, TypeError):
        return None


def worded(code: str | None, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """What a refusal adds to its body: ``code`` and ``params`` when it has a code, and
    ``message``, its French sentence, when one can be made; nothing without a code."""
    if code is None:
        return {}
    out: dict[str, Any] = {"code": code, "params": dict(params or {})}
    message = refusal_text(code, params)
    if message is not None:
        out["message"] = message
    return out
