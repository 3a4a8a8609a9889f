"""outbox lease: who holds a claimed message, and until when

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 10:00:00.000000
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import db.models

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=96), nullable=True))
        batch_op.add_column(sa.Column('lease_until', db.models.UTCDateTime(), nullable=True))
    # A row claimed under the old rule (no lease) was due again two minutes after its claim time
    # (not_before): that becomes its lease, so an old process still sending it is not raced.
    outbox = sa.table('outbox', sa.column('id', sa.Integer()), sa.column('status', sa.String()),
                      sa.column('not_before', db.models.UTCDateTime()),
                      sa.column('lease_until', db.models.UTCDateTime()))
    connection = op.get_bind()
    claimed = connection.execute(sa.select(outbox.c.id, outbox.c.not_before).where(outbox.c.status == 'sending'))
    for row_id, claimed_at in claimed.all():
        connection.execute(sa.update(outbox).where(outbox.c.id == row_id)
                           .values(lease_until=claimed_at + timedelta(minutes=2)))


def downgrade() -> None:
    # The old rule reclaims a 'sending' row two minutes after not_before; rows in flight keep
    # their claim time there, so nothing is lost either way.
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('lease_until')
        batch_op.drop_column('claimed_by')
