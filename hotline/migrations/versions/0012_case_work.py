"""case work: teams, assignment to console users and teams, labels, saved searches

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 16:45:00

A report may be assigned to a console user or a team (as well as to an SMS worker, as before);
labels tag reports; a saved search is a user's named inbox filter. New tables and two nullable
columns: nothing to fill in existing rows.
"""

import sqlalchemy as sa
from alembic import op

import hotline.platform.db

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'teams',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('area_code', sa.String(length=64), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', hotline.platform.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
        sa.UniqueConstraint('name', name=op.f('uq_teams_name')),
    )
    op.create_table(
        'team_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_members_team_id_teams')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_team_members_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_team_members')),
        sa.UniqueConstraint('team_id', 'user_id', name=op.f('uq_team_members_team_id')),
    )
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_members_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_members_user_id'), ['user_id'], unique=False)
    op.create_table(
        'labels',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', hotline.platform.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_labels_created_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_labels')),
        sa.UniqueConstraint('name', name=op.f('uq_labels_name')),
    )
    op.create_table(
        'report_labels',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('label_id', sa.Integer(), nullable=False),
        sa.Column('added_by', sa.Integer(), nullable=True),
        sa.Column('added_at', hotline.platform.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['added_by'], ['users.id'], name=op.f('fk_report_labels_added_by_users')),
        sa.ForeignKeyConstraint(['label_id'], ['labels.id'], name=op.f('fk_report_labels_label_id_labels')),
        sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_labels_report_id_reports')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_labels')),
        sa.UniqueConstraint('report_id', 'label_id', name=op.f('uq_report_labels_report_id')),
    )
    with op.batch_alter_table('report_labels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_labels_label_id'), ['label_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_labels_report_id'), ['report_id'], unique=False)
    op.create_table(
        'saved_searches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('filters', sa.JSON(), nullable=False),
        sa.Column('created_at', hotline.platform.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_saved_searches_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_searches')),
        sa.UniqueConstraint('user_id', 'name', name=op.f('uq_saved_searches_user_id')),
    )
    with op.batch_alter_table('saved_searches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_searches_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assigned_team_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_reports_assigned_user_id'), ['assigned_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_assigned_team_id'), ['assigned_team_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_reports_assigned_user_id_users'), 'users', ['assigned_user_id'], ['id']
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_reports_assigned_team_id_teams'), 'teams', ['assigned_team_id'], ['id']
        )


def downgrade() -> None:
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reports_assigned_team_id_teams'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_reports_assigned_user_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_reports_assigned_team_id'))
        batch_op.drop_index(batch_op.f('ix_reports_assigned_user_id'))
        batch_op.drop_column('assigned_team_id')
        batch_op.drop_column('assigned_user_id')
    with op.batch_alter_table('saved_searches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_searches_user_id'))
    op.drop_table('saved_searches')
    with op.batch_alter_table('report_labels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_labels_report_id'))
        batch_op.drop_index(batch_op.f('ix_report_labels_label_id'))
    op.drop_table('report_labels')
    op.drop_table('labels')
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_team_members_team_id'))
    op.drop_table('team_members')
    op.drop_table('teams')
