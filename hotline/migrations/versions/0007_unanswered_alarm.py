"""unanswered alarm

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 16:00:00

A report nobody accepted in time (or whose escalation ran out of people) raises an alarm: the
report carries when it is due, raised and ended. An area's policy carries its own thresholds
(NULL: the default policy's). A console user may give a phone number (encrypted, with its keyed
hash) and opt in to the alarm SMS for their areas.

Reports open at the upgrade get a due time from their creation and the default thresholds
(60 minutes, 15 for urgent ones), so an old unanswered report alarms too.
"""

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import hotline.platform.db

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alarm_due_at', hotline.platform.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('alarm_raised_at', hotline.platform.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('alarm_ended_at', hotline.platform.db.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_reports_alarm_due_at'), ['alarm_due_at'], unique=False)
    with op.batch_alter_table('escalation_policies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alarm_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('urgent_alarm_minutes', sa.Integer(), nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_encrypted', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('phone_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('alarm_sms', sa.Boolean(), nullable=False, server_default=sa.false()))

    reports = sa.table(
        'reports',
        sa.column('id', sa.Integer()),
        sa.column('urgent', sa.Boolean()),
        sa.column('status', sa.String()),
        sa.column('training', sa.Boolean()),
        sa.column('accepted_at', hotline.platform.db.UTCDateTime()),
        sa.column('created_at', hotline.platform.db.UTCDateTime()),
        sa.column('alarm_due_at', hotline.platform.db.UTCDateTime()),
    )
    connection = op.get_bind()
    open_reports = connection.execute(
        sa.select(reports.c.id, reports.c.urgent, reports.c.created_at).where(
            reports.c.accepted_at.is_(None),
            reports.c.status.in_(('new', 'alerted')),
            reports.c.training.is_(False),
        )
    ).all()
    for report_id, urgent, created_at in open_reports:
        due = created_at + timedelta(minutes=15 if urgent else 60)
        connection.execute(sa.update(reports).where(reports.c.id == report_id).values(alarm_due_at=due))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('alarm_sms')
        batch_op.drop_column('phone_hash')
        batch_op.drop_column('phone_encrypted')
    with op.batch_alter_table('escalation_policies', schema=None) as batch_op:
        batch_op.drop_column('urgent_alarm_minutes')
        batch_op.drop_column('alarm_minutes')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_alarm_due_at'))
        batch_op.drop_column('alarm_ended_at')
        batch_op.drop_column('alarm_raised_at')
        batch_op.drop_column('alarm_due_at')
