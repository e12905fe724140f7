"""sms routes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 10:00:00

Several SMS routes in order (SMS_GATEWAYS): an incoming SMS records the route it came by, so the
answer goes back the same way; an outbox row records the route to try first and the route whose
failed delivery report sent it out again through the next one. Existing rows keep NULL: they came by,
and go out through, the configured order (Africa's Talking before this revision).
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gateway', sa.String(length=24), nullable=True))
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_gateway', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('failed_gateway', sa.String(length=24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.drop_column('failed_gateway')
        batch_op.drop_column('first_gateway')
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_column('gateway')
