"""PostGIS, then every table of the store with its spatial indexes.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

#: (table, column) of every geometry, each with a GiST index named as GeoAlchemy2 names it
SPATIAL = [
    ("shops", "location"),
    ("couriers", "start"),
    ("couriers", "end"),
    ("orders", "customer_location"),
    ("rounds", "geometry"),
    ("stops", "location"),
    ("stop_events", "location"),
    ("courier_positions", "location"),
]


def _point(nullable: bool = False) -> sa.Column:
    return geoalchemy2.Geometry("POINT", srid=4326, spatial_index=False, nullable=nullable)


def _ts(name: str, **kw) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), **kw)


def _now(name: str) -> sa.Column:
    return _ts(name, server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "shops",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("location", _point(), nullable=False),
        sa.Column("opens", sa.Time(), nullable=False),
        sa.Column("closes", sa.Time(), nullable=False),
        _now("created_at"),
        sa.CheckConstraint("opens <= closes", name="ck_shops_opens_before_closes"),
        sa.PrimaryKeyConstraint("id", name="pk_shops"),
    )
    op.create_table(
        "couriers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("capacity_kg", sa.Float(), nullable=False),
        sa.Column("capacity_l", sa.Float(), nullable=False),
        sa.Column("shift_start", sa.Time(), nullable=False),
        sa.Column("shift_end", sa.Time(), nullable=False),
        sa.Column("start", _point(), nullable=False),
        sa.Column("end", _point(), nullable=False),
        _now("created_at"),
        sa.CheckConstraint("mode IN ('cargo_bike', 'foot')", name="ck_couriers_known_mode"),
        sa.CheckConstraint(
            "capacity_kg >= 0 AND capacity_l >= 0", name="ck_couriers_capacity_not_negative"
        ),
        sa.CheckConstraint("shift_start < shift_end", name="ck_couriers_shift_starts_before_end"),
        sa.PrimaryKeyConstraint("id", name="pk_couriers"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("shop_id", sa.String(64), nullable=True),
        sa.Column("courier_id", sa.String(64), nullable=True),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        _now("created_at"),
        sa.CheckConstraint(
            "role IN ('shop', 'dispatcher', 'courier', 'city')", name="ck_users_known_role"
        ),
        sa.CheckConstraint(
            "role <> 'shop' OR shop_id IS NOT NULL", name="ck_users_shop_user_has_shop"
        ),
        sa.CheckConstraint(
            "role <> 'courier' OR courier_id IS NOT NULL",
            name="ck_users_courier_user_has_courier",
        ),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name="fk_users_shop_id_shops"),
        sa.ForeignKeyConstraint(
            ["courier_id"], ["couriers.id"], name="fk_users_courier_id_couriers"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("token_sha256", name="uq_users_token_sha256"),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.String(64)),
        sa.Column("shop_id", sa.String(64), nullable=True),
        sa.Column("basket_id", sa.String(64), nullable=True),
        sa.Column("customer_location", _point(), nullable=False),
        sa.Column("weight_kg", sa.Float(), nullable=False),
        sa.Column("volume_l", sa.Float(), nullable=False),
        sa.Column("delivery_date", sa.Date(), nullable=False),
        sa.Column("ready_at", sa.Time(), nullable=True),
        sa.Column("deliver_from", sa.Time(), nullable=False),
        sa.Column("deliver_to", sa.Time(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        _now("created_at"),
        sa.CheckConstraint("weight_kg >= 0 AND volume_l >= 0", name="ck_orders_load_not_negative"),
        sa.CheckConstraint("deliver_from <= deliver_to", name="ck_orders_slot_in_order"),
        sa.CheckConstraint(
            "status IN ('received', 'planned', 'picked_up', 'delivered', 'failed', 'cancelled')",
            name="ck_orders_known_status",
        ),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name="fk_orders_shop_id_shops"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="fk_orders_created_by_users"),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
        sa.UniqueConstraint("shop_id", "idempotency_key", name="uq_orders_shop_idempotency"),
    )
    for column in ("shop_id", "basket_id", "delivery_date", "status"):
        op.create_index(f"ix_orders_{column}", "orders", [column])
    op.create_table(
        "order_events",
        sa.Column("id", sa.BigInteger(), autoincrement=True),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        _now("at"),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], ondelete="CASCADE", name="fk_order_events_order_id_orders"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_order_events_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_order_events"),
    )
    op.create_index("ix_order_events_order_id", "order_events", ["order_id"])
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), autoincrement=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("settings", postgresql.JSONB(), nullable=False),
        sa.Column("inputs", postgresql.JSONB(), nullable=True),
        sa.Column("result", postgresql.JSONB(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _now("created_at"),
        _ts("started_at", nullable=True),
        _ts("finished_at", nullable=True),
        _ts("published_at", nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'solved', 'failed')", name="ck_plans_known_status"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_plans"),
    )
    op.create_index("ix_plans_day", "plans", ["day"])
    op.create_table(
        "rounds",
        sa.Column("id", sa.Integer(), autoincrement=True),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("courier_id", sa.String(64), nullable=False),
        sa.Column("distance_m", sa.Integer(), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column(
            "geometry",
            geoalchemy2.Geometry("LINESTRING", srid=4326, spatial_index=False),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], ondelete="CASCADE", name="fk_rounds_plan_id_plans"
        ),
        sa.ForeignKeyConstraint(
            ["courier_id"], ["couriers.id"], name="fk_rounds_courier_id_couriers"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_rounds"),
        sa.UniqueConstraint("plan_id", "courier_id", name="uq_rounds_plan_courier"),
    )
    op.create_index("ix_rounds_plan_id", "rounds", ["plan_id"])
    op.create_index("ix_rounds_courier_id", "rounds", ["courier_id"])
    op.create_table(
        "stops",
        sa.Column("id", sa.Integer(), autoincrement=True),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("order_ids", postgresql.JSONB(), nullable=False),
        sa.Column("shop_id", sa.String(64), nullable=True),
        sa.Column("location", _point(), nullable=False),
        sa.Column("arrival", sa.Time(), nullable=False),
        sa.Column("departure", sa.Time(), nullable=False),
        sa.Column("load_kg", sa.Float(), nullable=False),
        sa.Column("load_l", sa.Float(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('start', 'pickup', 'delivery', 'end')", name="ck_stops_known_kind"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], ondelete="CASCADE", name="fk_stops_round_id_rounds"
        ),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name="fk_stops_shop_id_shops"),
        sa.PrimaryKeyConstraint("id", name="pk_stops"),
        sa.UniqueConstraint("round_id", "seq", name="uq_stops_round_seq"),
    )
    op.create_index("ix_stops_round_id", "stops", ["round_id"])
    op.create_table(
        "stop_events",
        sa.Column("id", sa.BigInteger(), autoincrement=True),
        sa.Column("stop_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        _ts("at", nullable=False),
        sa.Column("location", _point(nullable=True), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        _now("received_at"),
        sa.CheckConstraint(
            "type IN ('arrived', 'picked_up', 'delivered', 'failed')",
            name="ck_stop_events_known_type",
        ),
        sa.ForeignKeyConstraint(
            ["stop_id"], ["stops.id"], ondelete="CASCADE", name="fk_stop_events_stop_id_stops"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_stop_events_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_stop_events"),
        sa.UniqueConstraint("stop_id", "type", name="uq_stop_events_stop_type"),
    )
    op.create_index("ix_stop_events_stop_id", "stop_events", ["stop_id"])
    op.create_table(
        "courier_positions",
        sa.Column("id", sa.BigInteger(), autoincrement=True),
        sa.Column("courier_id", sa.String(64), nullable=False),
        _ts("at", nullable=False),
        sa.Column("location", _point(), nullable=False),
        sa.ForeignKeyConstraint(
            ["courier_id"], ["couriers.id"], name="fk_courier_positions_courier_id_couriers"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_courier_positions"),
    )
    op.create_index("ix_courier_positions_courier_id", "courier_positions", ["courier_id"])
    op.create_index("ix_courier_positions_at", "courier_positions", ["at"])
    for table, column in SPATIAL:
        op.create_index(f"idx_{table}_{column}", table, [column], postgresql_using="gist")


def downgrade() -> None:
    for table in (
        "courier_positions", "stop_events", "stops", "rounds", "plans", "order_events",
        "orders", "users", "couriers", "shops",
    ):
        op.drop_table(table)
