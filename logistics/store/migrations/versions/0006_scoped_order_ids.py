"""Order and basket ids are scoped per shop: an order keeps the id its poster gave as
``shop_ref`` (unique per shop) and its id becomes the public one, ``<shop_id>:<ref>``
(``~hub:<ref>`` for a parcel at the hub); a basket's id becomes ``<shop_id>:<ref>``
when all its orders of a day are one shop's, else ``~dispatch:<ref>`` (the dispatcher's
namespace). See :mod:`logistics.ids`.

Every stored copy of an order id follows: the order's events, the plans' changes, the
stops' order lists, and the plans' inputs and documents (JSON). A shop id holding ``:``
or beginning with ``~`` would make the public ids ambiguous: the upgrade then stops,
naming them, before changing anything.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: :mod:`logistics.ids` at this revision (a migration keeps its own copy)
SEPARATOR, HUB, DISPATCH = ":", "~hub", "~dispatch"
#: keys under which a plan's JSON holds order ids (a string, or lists of them)
ORDER_KEYS = frozenset({"order_id", "order_ids", "unreachable_order_ids"})
#: the foreign keys on ``orders.id`` (name, table, ondelete)
REFERENCES = (
    ("fk_order_events_order_id_orders", "order_events", "CASCADE"),
    ("fk_plan_changes_order_id_orders", "plan_changes", None),
)
#: the map of this migration: old id -> new id, and the order's new basket id
MAP = "order_ids_map_0006"


def _check_shop_ids(conn: sa.Connection) -> None:
    bad = conn.execute(sa.text(
        "SELECT id FROM shops WHERE position(:sep IN id) > 0 OR left(id, 1) = '~' ORDER BY id"
    ), {"sep": SEPARATOR}).scalars().all()
    if bad:
        shown = ", ".join(repr(b) for b in bad[:10]) + (" ..." if len(bad) > 10 else "")
        msg = (f"shop ids {shown} hold ':' or begin with '~', which order ids now use to "
               "name their shop; rename these shops first (nothing was changed)")
        raise RuntimeError(msg)


def _widen(length: int) -> None:
    for table, column in (("orders", "id"), ("orders", "basket_id"),
                          ("order_events", "order_id"), ("plan_changes", "order_id")):
        op.alter_column(table, column, type_=sa.String(length), existing_nullable=column == "basket_id"
                        or table == "plan_changes")


def _rekey(conn: sa.Connection, fill_map: str) -> None:
    """Give every order its new id and basket id as ``fill_map`` (an INSERT into
    :data:`MAP`) says, and every stored copy of its id."""
    conn.execute(sa.text(
        f"CREATE TEMPORARY TABLE {MAP} (old text PRIMARY KEY, new text NOT NULL, new_basket text)"
    ))
    conn.execute(sa.text(fill_map))
    for name, table, _ in REFERENCES:
        op.drop_constraint(name, table, type_="foreignkey")
    # The old and new ids may overlap while rows change: the key is checked once, after.
    op.drop_constraint("pk_orders", "orders", type_="primary")
    conn.execute(sa.text(
        f"UPDATE orders AS o SET id = m.new, basket_id = m.new_basket FROM {MAP} AS m WHERE o.id = m.old"
    ))
    for _, table, _ in REFERENCES:
        conn.execute(sa.text(
            f"UPDATE {table} AS t SET order_id = m.new FROM {MAP} AS m WHERE t.order_id = m.old"
        ))
    op.create_primary_key("pk_orders", "orders", ["id"])
    for name, table, ondelete in REFERENCES:
        op.create_foreign_key(name, table, "orders", ["order_id"], ["id"], ondelete=ondelete)
    conn.execute(sa.text(f"""
        UPDATE stops AS s SET order_ids = coalesce((
            SELECT jsonb_agg(coalesce(m.new, e.old) ORDER BY e.n)
            FROM jsonb_array_elements_text(s.order_ids) WITH ORDINALITY AS e(old, n)
            LEFT JOIN {MAP} AS m ON m.old = e.old), '[]'::jsonb)
        WHERE jsonb_typeof(s.order_ids) = 'array' AND jsonb_array_length(s.order_ids) > 0
    """))
    _rekey_plans(conn)
    conn.execute(sa.text(f"DROP TABLE {MAP}"))


def _strings(value: Any, key: str | None, out: set[str]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _strings(v, k, out)
    elif isinstance(value, list):
        for v in value:
            _strings(v, key, out)
    elif isinstance(value, str) and key in ORDER_KEYS:
        out.add(value)


def _renamed(value: Any, key: str | None, ids: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _renamed(v, k, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, key, ids) for v in value]
    if isinstance(value, str) and key in ORDER_KEYS:
        return ids.get(value, value)
    return value


def _rekey_plans(conn: sa.Connection) -> None:
    """The order ids in each plan's inputs and document, and the inputs' basket ids."""
    plans = conn.execute(sa.text(
        "SELECT id, inputs, result FROM plans WHERE inputs IS NOT NULL OR result IS NOT NULL"
    )).all()
    update = sa.text("UPDATE plans SET inputs = :inputs, result = :result WHERE id = :id").bindparams(
        sa.bindparam("inputs", type_=JSONB(none_as_null=True)),
        sa.bindparam("result", type_=JSONB(none_as_null=True)),
    )
    for plan_id, inputs, result in plans:
        seen: set[str] = set()
        _strings(inputs, None, seen)
        _strings(result, None, seen)
        if not seen:
            continue
        rows = conn.execute(
            sa.text(f"SELECT old, new, new_basket FROM {MAP} WHERE old = ANY(:ids)"),
            {"ids": sorted(seen)},
        ).all()
        ids = {old: new for old, new, _ in rows}
        baskets = {old: basket for old, _, basket in rows}
        if isinstance(inputs, dict) and isinstance(inputs.get("orders"), list):
            for order in inputs["orders"]:
                old = order.get("order_id") if isinstance(order, dict) else None
                if old in baskets and order.get("basket_id") is not None:
                    order["basket_id"] = baskets[old]
        conn.execute(update, {"id": plan_id, "inputs": _renamed(inputs, None, ids),
                              "result": _renamed(result, None, ids)})


def upgrade() -> None:
    conn = op.get_bind()
    _check_shop_ids(conn)
    _widen(129)
    op.add_column("orders", sa.Column("shop_ref", sa.String(64), nullable=True))
    op.execute("UPDATE orders SET shop_ref = id")
    # A basket of a day whose orders are all one shop's is that shop's; any other (across
    # shops, or with parcels at the hub) was formed for them: the dispatcher's.
    _rekey(conn, f"""
        INSERT INTO {MAP} (old, new, new_basket)
        SELECT o.id, coalesce(o.shop_id, '{HUB}') || '{SEPARATOR}' || o.id,
               CASE WHEN o.basket_id IS NULL THEN NULL
                    WHEN b.owners = 1 AND o.shop_id IS NOT NULL
                        THEN o.shop_id || '{SEPARATOR}' || o.basket_id
                    ELSE '{DISPATCH}{SEPARATOR}' || o.basket_id END
        FROM orders AS o
        LEFT JOIN (SELECT basket_id, delivery_date,
                          count(DISTINCT coalesce(shop_id, '{HUB}')) AS owners
                   FROM orders WHERE basket_id IS NOT NULL
                   GROUP BY basket_id, delivery_date) AS b
          ON b.basket_id = o.basket_id AND b.delivery_date = o.delivery_date
    """)
    op.alter_column("orders", "shop_ref", nullable=False)
    op.create_unique_constraint("uq_orders_shop_ref", "orders", ["shop_id", "shop_ref"])
    op.create_check_constraint(
        "ck_orders_public_id", "orders",
        f"id = coalesce(shop_id, '{HUB}') || '{SEPARATOR}' || shop_ref",
    )


def downgrade() -> None:
    conn = op.get_bind()
    clash = conn.execute(sa.text(
        "SELECT shop_ref FROM orders GROUP BY shop_ref HAVING count(*) > 1 ORDER BY shop_ref LIMIT 10"
    )).scalars().all()
    if clash:
        msg = (f"order ids {', '.join(map(repr, clash))} are used by several shops: ids "
               "before 0006 are global; nothing was changed")
        raise RuntimeError(msg)
    op.drop_constraint("ck_orders_public_id", "orders", type_="check")
    op.drop_constraint("uq_orders_shop_ref", "orders", type_="unique")
    # A basket keeps its reference: baskets of one name on one day are merged again.
    _rekey(conn, f"""
        INSERT INTO {MAP} (old, new, new_basket)
        SELECT id, shop_ref, substr(basket_id, position('{SEPARATOR}' IN basket_id) + 1)
        FROM orders
    """)
    op.drop_column("orders", "shop_ref")
    _widen(64)
