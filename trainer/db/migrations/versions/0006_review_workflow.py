"""The reviewer's workflow: disputes and acknowledgements, assignment rules and the review
queue, calibration sessions, transcript corrections that keep the original, agent flags.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column(
            name,
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        )
        for name in ("created_at", "updated_at")
    ]


def _fk(column: str, table: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    """Create the workflow tables and add the new columns."""
    op.create_table(
        "calibration_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("baseline_reviewer_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        *_timestamps(),
        _fk("lead_id", "calibration_sessions", "users", "SET NULL"),
        _fk("baseline_reviewer_id", "calibration_sessions", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_sessions")),
    )
    for name, column, target in (
        ("calibration_conversations", "conversation_id", "conversations"),
        ("calibration_participants", "user_id", "users"),
    ):
        op.create_table(
            name,
            sa.Column("session_id", sa.Integer(), nullable=False),
            sa.Column(column, sa.Integer(), nullable=False),
            _fk("session_id", name, "calibration_sessions", "CASCADE"),
            _fk(column, name, target, "CASCADE"),
            sa.PrimaryKeyConstraint("session_id", column, name=op.f(f"pk_{name}")),
        )
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        # "calibration" is longer than the 10 characters that held "auto" and "human"
        batch_op.alter_column(
            "kind", existing_type=sa.String(length=10), type_=sa.String(length=20)
        )
        batch_op.add_column(sa.Column("acknowledged_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("calibration_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_evaluations_calibration_id"), ["calibration_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_evaluations_calibration_id_calibration_sessions"),
            "calibration_sessions",
            ["calibration_id"],
            ["id"],
            ondelete="CASCADE",
        )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flagged_at", sa.DateTime(timezone=True)))
    with op.batch_alter_table("turns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("original_text", sa.Text()))
        batch_op.add_column(sa.Column("original_speaker", sa.String(length=20)))
        batch_op.add_column(sa.Column("corrected_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("corrected_at", sa.DateTime(timezone=True)))
        batch_op.create_foreign_key(
            batch_op.f("fk_turns_corrected_by_id_users"),
            "users",
            ["corrected_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "review_disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("resolver_id", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        _fk("review_id", "review_disputes", "evaluations", "CASCADE"),
        _fk("agent_id", "review_disputes", "users", "SET NULL"),
        _fk("resolver_id", "review_disputes", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_disputes")),
    )
    op.create_index(op.f("ix_review_disputes_review_id"), "review_disputes", ["review_id"])
    op.create_index(op.f("ix_review_disputes_status"), "review_disputes", ["status"])
    op.create_table(
        "assignment_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("agent_ids", sa.JSON(), nullable=False),
        sa.Column("reviewer_ids", sa.JSON(), nullable=False),
        sa.Column("per_agent", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        *_timestamps(),
        _fk("created_by_id", "assignment_rules", "users", "SET NULL"),
        _fk("team_id", "assignment_rules", "teams", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_rules")),
        sa.UniqueConstraint("name", name=op.f("uq_assignment_rules_name")),
    )
    op.create_table(
        "review_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=20), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("replaced_reason", sa.Text(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        _fk("rule_id", "review_assignments", "assignment_rules", "CASCADE"),
        _fk("reviewer_id", "review_assignments", "users", "CASCADE"),
        _fk("agent_id", "review_assignments", "users", "SET NULL"),
        _fk("conversation_id", "review_assignments", "conversations", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_assignments")),
        sa.UniqueConstraint(
            "rule_id",
            "period_key",
            "conversation_id",
            name=op.f("uq_review_assignments_rule_id"),
        ),
    )
    op.create_index(
        "ix_review_assignments_reviewer_status", "review_assignments", ["reviewer_id", "status"]
    )
    op.create_index(
        op.f("ix_review_assignments_conversation_id"), "review_assignments", ["conversation_id"]
    )


def downgrade() -> None:
    """Drop the workflow tables and columns (calibration scores go with their sessions)."""
    op.execute("DELETE FROM evaluations WHERE kind = 'calibration'")
    op.drop_table("review_assignments")
    op.drop_table("assignment_rules")
    op.drop_table("review_disputes")
    with op.batch_alter_table("turns", schema=None) as batch_op:
        batch_op.drop_constraint("fk_turns_corrected_by_id_users", type_="foreignkey")
        for column in ("corrected_at", "corrected_by_id", "original_speaker", "original_text"):
            batch_op.drop_column(column)
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("flagged_at")
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_constraint(
            "fk_evaluations_calibration_id_calibration_sessions", type_="foreignkey"
        )
        batch_op.drop_index("ix_evaluations_calibration_id")
        batch_op.drop_column("calibration_id")
        batch_op.drop_column("acknowledged_at")
        batch_op.alter_column(
            "kind", existing_type=sa.String(length=20), type_=sa.String(length=10)
        )
    op.drop_table("calibration_participants")
    op.drop_table("calibration_conversations")
    op.drop_table("calibration_sessions")
