"""translation review

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 12:00:00

The field's review of the reporter and worker texts (hotline.languages): a language's state set by
an admin (no row: French and English approved, the others drafts, as shipped), a reviewer's
correction, review state and note per message, the languages a translator reviews, and the
language of a USSD session for the funnel per language. Existing users review no language;
existing session events have no language (shown as unknown).
"""

import sqlalchemy as sa
from alembic import op

import hotline.platform.db

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'languages',
        sa.Column('code', sa.String(length=8), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('updated_at', hotline.platform.db.UTCDateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['updated_by_id'], ['users.id'], name=op.f('fk_languages_updated_by_id_users')
        ),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_languages')),
    )
    op.create_table(
        'translation_texts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lang', sa.String(length=8), nullable=False),
        sa.Column('msgid', sa.Text(), nullable=False),
        sa.Column('msgstr', sa.Text(), nullable=True),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('updated_at', hotline.platform.db.UTCDateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['updated_by_id'], ['users.id'], name=op.f('fk_translation_texts_updated_by_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_translation_texts')),
        sa.UniqueConstraint('lang', 'msgid', name=op.f('uq_translation_texts_lang')),
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('languages', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('ussd_session_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ussd_session_events', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('languages')
    op.drop_table('translation_texts')
    op.drop_table('languages')
