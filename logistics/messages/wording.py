"""What a customer reads: short French texts for each moment of a delivery, with the
shop's name and the tracking link, and how to stop further messages.

SMS stay short (one or two SMS parts); e-mails say the same with a subject line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: the moments a customer is told about
EVENTS = ("planned", "on_the_way", "delivered", "failed")

_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre")


def day_text(day: dt.date) -> str:
    """"mardi 12 octobre"."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"


@dataclass(frozen=True)
class Facts:
    """What a message says: the shops (names), the day and slot (HH:MM), the arrival
    estimate, the hand-over time or the failure's reason, and the links."""

    shops: str
    day: dt.date
    slot_from: str
    slot_to: str
    tracking_url: str
    stop_url: str
    eta: str | None = None
    at: str | None = None
    reason: str | None = None
    next_step: str | None = None


@dataclass(frozen=True)
class Text:
    subject: str
    sms: str
    email: str


def compose(event: str, f: Facts) -> Text:
    """The texts of ``event`` (one of :data:`EVENTS`)."""
    if event == "planned":
        subject = f"{f.shops} : livraison {day_text(f.day)} entre {f.slot_from} et {f.slot_to}"
        line = (f"{f.shops} : votre commande sera livrée {day_text(f.day)} entre {f.slot_from} "
                f"et {f.slot_to}, à vélo ou à pied.")
    elif event == "on_the_way":
        when = f", arrivée vers {f.eta}" if f.eta else ""
        subject = f"{f.shops} : votre livreur arrive"
        line = f"{f.shops} : votre livreur arrive{when}."
    elif event == "delivered":
        subject = f"{f.shops} : commande livrée"
        line = f"{f.shops} : votre commande a été livrée{f' à {f.at}' if f.at else ''}. Merci !"
    elif event == "failed":
        why = f" ({f.reason})" if f.reason else ""
        subject = f"{f.shops} : livraison impossible"
        line = f"{f.shops} : nous n'avons pas pu vous livrer{why}. {f.next_step or 'Le commerce vous recontactera.'}"
    else:
        raise ValueError(f"no message for {event!r}")
    sms = f"{line} Suivi : {f.tracking_url} Stop : {f.stop_url}"
    email = (f"Bonjour,\n\n{line}\n\nSuivre la livraison : {f.tracking_url}\n\n"
             f"Livraison à vélo et à pied pour les commerces de Douai.\n"
             f"Ne plus recevoir ces messages : {f.stop_url}\n")
    return Text(subject, sms, email)


#: what happens after a failed hand-over, by where the parcel goes back
NEXT_STEP = {
    "shop": "Le colis retourne au commerce, qui vous recontactera.",
    "hub": "Le colis est gardé au dépôt ; le commerce vous recontactera.",
}
