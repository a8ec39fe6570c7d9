"""The hand-over: each order's tracking token, the outbox of messages (customers'
e-mails and SMS, shops' webhooks), the webhooks, the customers who opted out, and the
proofs of delivery.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("orders", sa.Column("tracking_token", sa.String(64), nullable=True))
    orders = sa.table("orders", sa.column("id", sa.String), sa.column("tracking_token", sa.String))
    conn = op.get_bind()
    for (order_id,) in conn.execute(sa.select(orders.c.id)).all():
        conn.execute(orders.update().where(orders.c.id == order_id)
                     .values(tracking_token=secrets.token_urlsafe(24)))
    op.alter_column("orders", "tracking_token", nullable=False)
    op.create_unique_constraint("uq_orders_tracking_token", "orders", ["tracking_token"])

    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("events", sa.dialects.postgresql.JSONB, nullable=False),
        sa.Column("secret", sa.String(64), nullable=False),
        sa.Column("shop_id", sa.String(64), sa.ForeignKey("shops.id", name="fk_webhooks_shop_id_shops"),
                  nullable=True),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id", name="fk_webhooks_created_by_users"),
                  nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("deleted_at", TZ, nullable=True),
    )
    op.create_index("ix_webhooks_shop_id", "webhooks", ["shop_id"])
    op.create_table(
        "messages",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("order_id", sa.String(129), sa.ForeignKey(
            "orders.id", ondelete="SET NULL", name="fk_messages_order_id_orders"), nullable=True),
        sa.Column("hook_id", sa.Integer, sa.ForeignKey("webhooks.id", name="fk_messages_hook_id_webhooks"),
                  nullable=True),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", TZ, nullable=False),
        sa.Column("claimed_at", TZ, nullable=True),
        sa.Column("sent_at", TZ, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("key", name="uq_messages_key"),
        sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed', 'skipped')",
                           name="ck_messages_known_status"),
    )
    op.create_index("ix_messages_order_id", "messages", ["order_id"])
    op.create_index("ix_messages_hook_id", "messages", ["hook_id"])
    op.create_index("ix_messages_due", "messages", ["status", "next_at"])
    op.create_table(
        "contact_opt_outs",
        sa.Column("contact_key", sa.String(64), primary_key=True),
        sa.Column("at", TZ, nullable=False),
    )
    op.create_table(
        "delivery_proofs",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("stop_id", sa.Integer, sa.ForeignKey(
            "stops.id", ondelete="CASCADE", name="fk_delivery_proofs_stop_id_stops"), nullable=False),
        sa.Column("courier_id", sa.String(64), sa.ForeignKey(
            "couriers.id", name="fk_delivery_proofs_courier_id_couriers"), nullable=False),
        sa.Column("recipient_name", sa.Text, nullable=True),
        sa.Column("photo", sa.LargeBinary, nullable=True),
        sa.Column("photo_type", sa.String(16), nullable=True),
        sa.Column("photo_sha256", sa.String(64), nullable=True),
        sa.Column("signature", sa.LargeBinary, nullable=True),
        sa.Column("signature_type", sa.String(16), nullable=True),
        sa.Column("signature_sha256", sa.String(64), nullable=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("created_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("stop_id", name="uq_delivery_proofs_stop_id"),
    )


def downgrade() -> None:
    op.drop_table("delivery_proofs")
    op.drop_table("contact_opt_outs")
    op.drop_table("messages")
    op.drop_table("webhooks")
    op.drop_constraint("uq_orders_tracking_token", "orders", type_="unique")
    op.drop_column("orders", "tracking_token")
