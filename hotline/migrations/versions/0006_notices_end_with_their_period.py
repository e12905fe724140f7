"""notices end with their period

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 03:40:00

A notice about an hour or a day (SMS cap, flood control) carries the moment its period ends; it
stops being open then, even when nothing happens in the next period to clear it.
"""
from alembic import op
import sqlalchemy as sa
import hotline.db


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ends_at', hotline.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_column('ends_at')
