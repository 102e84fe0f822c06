"""candidate journey: language and time zone per application, the device check's items

Revision ID: 0008_application_language
Revises: 0007_report_overrides
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db

revision: str = "0008_application_language"
down_revision: str | None = "0007_report_overrides"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=10), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("timezone", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("locale_source", sa.String(length=20), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("locale_reasons", hireflow.core.db.JSONText(), nullable=True)
        )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device_result", hireflow.core.db.JSONText(), nullable=True))
    # The defaults were only there to fill existing rows; the models give the values.
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.alter_column("language", server_default=None)
        batch_op.alter_column("timezone", server_default=None)
        batch_op.alter_column("locale_source", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_column("device_result")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_column("locale_reasons")
        batch_op.drop_column("locale_source")
        batch_op.drop_column("timezone")
        batch_op.drop_column("language")
