"""Whose id it is: the platform-wide id of an order or a basket is its owner's namespace
and the owner's own reference, joined by ``:``.

A shop names its orders and baskets as it likes (``O1``, ``B1``), and so does every
other shop: the names live in each shop's own namespace, so that two shops never clash
on a name, and no shop can learn, block or reach another's. The platform (the planner,
plans, stops, the couriers' and the dispatcher's views) uses the public id, unique across
the platform by construction:

``<shop_id>:<ref>``
    an order of a shop (whoever posted it), or a basket a shop formed of its own orders;
``~hub:<ref>``
    a parcel the dispatcher posted without a shop (it waits at the hub);
``~dispatch:<ref>``
    a basket the dispatcher formed (it may hold orders of several shops; the
    marketplace connector, when there is one, gets a namespace of its own alike).

Shop ids and references take only the characters of :data:`logistics.limits.ID_PATTERN`
(no ``:``, no ``~``), so a public id splits back at its first ``:`` into one namespace
and one reference, two different pairs never give the same id, and a namespace that
starts with ``~`` is never a shop's. (References stored before the rule, migration
0006, may hold any character but a shop id's ``:``; the split still holds: a namespace
never contains ``:``.)
"""

from __future__ import annotations

#: joins a namespace and a reference; in no shop id nor reference
SEPARATOR = ":"
#: the namespace of the parcels the dispatcher posts without a shop
HUB = "~hub"
#: the namespace of the baskets the dispatcher forms
DISPATCH = "~dispatch"


def order_id(shop_id: str | None, ref: str) -> str:
    """The public id of the order ``ref`` of ``shop_id`` (None: a parcel at the hub)."""
    return f"{shop_id if shop_id is not None else HUB}{SEPARATOR}{ref}"


def basket_id(owner: str, ref: str) -> str:
    """The public id of the basket ``ref`` formed by ``owner`` (a shop id, or
    :data:`DISPATCH`)."""
    return f"{owner}{SEPARATOR}{ref}"


def split(public_id: str) -> tuple[str, str] | None:
    """``(namespace, reference)`` of a public id; None when it has no namespace."""
    namespace, sep, ref = public_id.partition(SEPARATOR)
    if not sep or not namespace or not ref:
        return None
    return namespace, ref


def is_shop(namespace: str) -> bool:
    """Whether a namespace is a shop's (the platform's own begin with ``~``)."""
    return not namespace.startswith("~")
