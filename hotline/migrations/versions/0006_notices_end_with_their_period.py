"""notices end with their period

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 03:40:00

A notice about an hour or a day (SMS cap, flood control) carries the moment its period ends; it
stops being open then, even when nothing happens in the next period to clear it. Such notices open
at the upgrade get their end from their key, as the code before this revision wrote it
("sms-cap:hour:2026010508", "sms-cap:day:20260105", "flood:20260105"); the code that cleared them
is gone, and nothing else would.
"""
from datetime import datetime, timedelta, timezone

from alembic import op
import sqlalchemy as sa
import hotline.platform.db


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# key prefix -> (strptime pattern of the rest, length of the period)
PERIODS = {
    'sms-cap:hour:': ('%Y%m%d%H', timedelta(hours=1)),
    'sms-cap:day:': ('%Y%m%d', timedelta(days=1)),
    'flood:': ('%Y%m%d', timedelta(days=1)),
}


def _end(key):
    for prefix, (pattern, length) in PERIODS.items():
        if key.startswith(prefix):
            try:
                start = datetime.strptime(key[len(prefix):], pattern)
            except ValueError:
                return None
            return start.replace(tzinfo=timezone.utc) + length
    return None


def upgrade() -> None:
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ends_at', hotline.platform.db.UTCDateTime(), nullable=True))

    notices = sa.table('notices', sa.column('id', sa.Integer()), sa.column('key', sa.String()),
                       sa.column('cleared_at', hotline.platform.db.UTCDateTime()),
                       sa.column('ends_at', hotline.platform.db.UTCDateTime()))
    bind = op.get_bind()
    rows = bind.execute(sa.select(notices.c.id, notices.c.key).where(
        notices.c.cleared_at.is_(None),
        sa.or_(notices.c.key.like('sms-cap:%'), notices.c.key.like('flood:%')))).all()
    for notice_id, key in rows:
        end = _end(key)
        if end is not None:
            bind.execute(notices.update().where(notices.c.id == notice_id).values(ends_at=end))


def downgrade() -> None:
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_column('ends_at')
