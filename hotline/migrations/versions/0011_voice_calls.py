"""voice calls

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 16:29:07

An escalation policy may phone a level (a ``call`` step): one row per call to one worker, found
again by Africa's Talking's session id when its voice callback comes. No phone number is kept:
the worker's id says who was called. Nothing to fill for existing rows.
"""

import sqlalchemy as sa
from alembic import op

import hotline.platform.db

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'voice_calls',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('worker_id', sa.Integer(), nullable=False),
        sa.Column('level', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('session_id', sa.String(length=100), nullable=True),
        sa.Column('escalation_token', sa.String(length=32), nullable=True),
        sa.Column('digits', sa.String(length=8), nullable=True),
        sa.Column('duration_seconds', sa.Integer(), nullable=True),
        sa.Column('gateway_status', sa.String(length=40), nullable=True),
        sa.Column('cost', sa.String(length=32), nullable=True),
        sa.Column('created_at', hotline.platform.db.UTCDateTime(), nullable=False),
        sa.Column('answered_at', hotline.platform.db.UTCDateTime(), nullable=True),
        sa.Column('ended_at', hotline.platform.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_voice_calls_report_id_reports')),
        sa.ForeignKeyConstraint(
            ['worker_id'], ['social_workers.id'], name=op.f('fk_voice_calls_worker_id_social_workers')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_voice_calls')),
        sa.UniqueConstraint('session_id', name=op.f('uq_voice_calls_session_id')),
    )
    with op.batch_alter_table('voice_calls', schema=None) as batch_op:
        batch_op.create_index('ix_voice_calls_due', ['status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_voice_calls_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voice_calls_worker_id'), ['worker_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('voice_calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voice_calls_worker_id'))
        batch_op.drop_index(batch_op.f('ix_voice_calls_report_id'))
        batch_op.drop_index('ix_voice_calls_due')
    op.drop_table('voice_calls')
