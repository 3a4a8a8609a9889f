"""seat maps: the hall's picture per version and language, with Telegram's file_id once sent

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.models

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('seat_maps',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('png', sa.LargeBinary(), nullable=False),
    sa.Column('telegram_file_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', db.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_seat_maps_event_id_events'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'language', 'version', name=op.f('pk_seat_maps'))
    )


def downgrade() -> None:
    # Only cached pictures: they are drawn again when needed.
    op.drop_table('seat_maps')
