"""Lists are paged by the database, capped, and indexed: the conversations list (service and
/api/v1/conversations) returns the right pages in the right order on SQLite and PostgreSQL,
scores from each conversation's current evaluation, and never more than MAX_PER_PAGE rows; the
0008 indexes exist (and go and come back with the migration); on PostgreSQL the list's page is
an index walk, not a sort of the table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, insert, inspect, text

from trainer.access import Actor
from trainer.db.models import ConversationRecord, Evaluation, RubricRecord, User
from trainer.db.session import get_sessionmaker, session_scope
from trainer.services.views import (
    MAX_PER_PAGE,
    ConversationFilter,
    conversation_options,
    list_conversations,
    page_conversations,
)

ADMIN = Actor.local_admin()
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
INDEXES = {
    "ix_conversations_started_at_external_id",
    "ix_conversations_agent_id_started_at",
    "ix_conversations_status",
}


def _seed(url: str, n: int, *, undated: int = 2) -> dict:
    """n conversations of two agents (one linked account, one name only), an hour apart, the
    first `undated` without a start time; an automatic evaluation each (score = id % 100);
    conversation 5 also has a submitted review (95) and conversation 6 a draft one (99)."""
    with session_scope(url) as session:
        sue = User(name="Sue Agent", role="agent")
        session.add(sue)
        rubric = RubricRecord(slug="r", version=1, title="R", definition={}, content_hash="x")
        session.add(rubric)
        session.flush()
        sue_id, rubric_id = sue.id, rubric.id
        session.execute(
            insert(ConversationRecord),
            [
                {
                    "id": i,
                    "external_id": f"conv-{i:05d}",
                    "channel": "chat",
                    "agent_id": sue_id if i % 2 else None,
                    "agent_name": "Sue Agent" if i % 2 else "Tom Unlinked",
                    "started_at": None if i <= undated else T0 + timedelta(hours=i),
                    "content_hash": f"{i:064d}",
                    "status": "scored",
                    "extra": {},
                }
                for i in range(1, n + 1)
            ],
        )
        evaluations = [
            {
                "conversation_id": i,
                "rubric_id": rubric_id,
                "kind": "auto",
                "status": "completed",
                "score": float(i % 100),
                "sections": {"empathy": float(i % 100)},
            }
            for i in range(1, n + 1)
        ]
        evaluations += (
            []
            if n < 6
            else [
                {
                    "conversation_id": 5,
                    "rubric_id": rubric_id,
                    "kind": "human",
                    "status": "submitted",
                    "score": 95.0,
                    "sections": {"empathy": 95.0},
                },
                {
                    "conversation_id": 6,
                    "rubric_id": rubric_id,
                    "kind": "human",
                    "status": "draft",
                    "score": 99.0,
                    "sections": {"empathy": 99.0},
                },
            ]
        )
        session.execute(insert(Evaluation), evaluations)
    return {"sue": Actor(id=sue_id, name="Sue Agent", role="agent")}


def _expected_order(n: int, undated: int = 2) -> list[str]:
    """Newest first, the undated ones first, ties by id descending."""
    undated_ids = [f"conv-{i:05d}" for i in range(undated, 0, -1)]
    return undated_ids + [f"conv-{i:05d}" for i in range(n, undated, -1)]


def test_paging_pages_cover_the_list_in_order_without_repeats(db_url):
    _seed(db_url, 23)
    with session_scope(db_url) as session:
        pages = [page_conversations(session, ADMIN, page=p, per_page=10) for p in (1, 2, 3, 4)]
    listed = [row["conversation"] for page in pages for row in page.rows]
    assert listed == _expected_order(23)
    assert [len(p.rows) for p in pages] == [10, 10, 3, 0]
    assert {p.total for p in pages} == {23}


def test_paging_caps_the_page_size_and_clamps_nonsense(db_url):
    _seed(db_url, 3)
    with session_scope(db_url) as session:
        huge = page_conversations(session, ADMIN, per_page=10**6)
        zero = page_conversations(session, ADMIN, page=0, per_page=0)
    assert huge.per_page == MAX_PER_PAGE and len(huge.rows) == 3
    assert (zero.page, zero.per_page, len(zero.rows)) == (1, 1, 1)


def test_paging_scores_come_from_the_current_evaluation(db_url):
    _seed(db_url, 12)
    with session_scope(db_url) as session:
        rows = {r["conversation"]: r for r in page_conversations(session, ADMIN).rows}
        high = page_conversations(session, ADMIN, ConversationFilter(min_score=90))
        low = page_conversations(session, ADMIN, ConversationFilter(max_score=5))
        legacy = {r["conversation"]: r for r in list_conversations(session, ADMIN)}
    # The submitted review beats the automatic score; a draft does not count.
    assert rows["conv-00005"]["score"] == 95.0 and rows["conv-00005"]["kind"] == "human"
    assert rows["conv-00006"]["score"] == 6.0 and rows["conv-00006"]["kind"] == "auto"
    assert rows["conv-00005"]["empathy"] == 95.0 and rows["conv-00005"]["rubric"] == "r@1"
    assert [r["conversation"] for r in high.rows] == ["conv-00005"] and high.total == 1
    assert {r["conversation"] for r in low.rows} == {f"conv-{i:05d}" for i in (1, 2, 3, 4)}
    # The same rows as the unpaged list (which the web page and reports still use).
    for key, row in rows.items():
        assert {k: row[k] for k in ("score", "kind", "agent", "rubric")} == {
            k: legacy[key][k] for k in ("score", "kind", "agent", "rubric")
        }


def test_paging_filters_by_agent_name_linked_or_not_and_by_visibility(db_url):
    people = _seed(db_url, 10)
    with session_scope(db_url) as session:
        sue = page_conversations(session, ADMIN, ConversationFilter(agent="Sue Agent"))
        tom = page_conversations(session, ADMIN, ConversationFilter(agent="Tom Unlinked"))
        own = page_conversations(session, people["sue"], per_page=2)
        since = page_conversations(
            session, ADMIN, ConversationFilter(since=T0 + timedelta(hours=9))
        )
    assert sue.total == 5 and {r["agent"] for r in sue.rows} == {"Sue Agent"}
    assert tom.total == 5 and {r["agent"] for r in tom.rows} == {"Tom Unlinked"}
    assert own.total == 5 and len(own.rows) == 2  # an agent sees only their own
    assert [r["conversation"] for r in since.rows] == ["conv-00010", "conv-00009"]


def test_paging_options_name_agents_and_channels_without_the_rows(db_url):
    people = _seed(db_url, 10)
    with session_scope(db_url) as session:
        session.execute(
            insert(ConversationRecord),
            [
                {
                    "id": 1000,  # the seed gives ids itself: PostgreSQL's sequence never moved
                    "external_id": "practice-1",
                    "channel": "roleplay",
                    "agent_name": "Tina Trainee",
                    "content_hash": "p" * 64,
                    "status": "scored",
                    "extra": {},
                }
            ],
        )
    with session_scope(db_url) as session:
        everyone = conversation_options(session, ADMIN)
        own = conversation_options(session, people["sue"])
    # Role-play practice is never listed, so neither is its trainee.
    assert everyone.agents == ["Sue Agent", "Tom Unlinked"]
    assert (everyone.channels, everyone.total) == (["chat"], 10)
    assert (own.agents, own.total) == (["Sue Agent"], 5)


def test_paging_api_pages_and_refuses_a_page_over_the_cap(db_url):
    from trainer.api.app import create_api
    from trainer.services.auth import issue_api_token

    _seed(db_url, 7)
    with session_scope(db_url) as session:
        admin = User(name="Ada Admin", role="admin")
        session.add(admin)
        session.flush()
        token = issue_api_token(session, ADMIN, admin, "paging")
    client = TestClient(create_api())
    headers = {"Authorization": f"Bearer {token}"}
    second = client.get("/api/v1/conversations?per_page=3&page=2", headers=headers)
    too_big = client.get(f"/api/v1/conversations?per_page={MAX_PER_PAGE + 1}", headers=headers)
    assert second.status_code == 200, second.text
    body = second.json()
    assert (body["total"], body["page"], body["per_page"]) == (7, 2, 3)
    assert [i["conversation"] for i in body["items"]] == _expected_order(7)[3:6]
    assert too_big.status_code == 422


def test_paging_migration_0008_creates_and_drops_the_indexes(db_url):
    from alembic import command

    from trainer.db.migrate import alembic_config, current_revision, upgrade

    engine = get_sessionmaker(db_url).kw["bind"]
    names = {i["name"] for i in inspect(engine).get_indexes("conversations")}
    assert INDEXES <= names
    command.downgrade(alembic_config(engine), "0007")
    inspect(engine).clear_cache()
    assert not INDEXES & {i["name"] for i in inspect(engine).get_indexes("conversations")}
    upgrade(engine)
    assert current_revision(engine) == "0010"
    assert INDEXES <= {i["name"] for i in inspect(engine).get_indexes("conversations")}


def test_paging_postgres_walks_the_index_for_a_page(db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("query plans are checked on PostgreSQL")
    _seed(db_url, 3000)
    engine = get_sessionmaker(db_url).kw["bind"]
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    captured = []

    def capture(conn, cursor, statement, params, context, executemany):
        if "ORDER BY" in statement and "LIMIT" in statement:
            captured.append((statement, params))

    with session_scope(db_url) as session:
        event.listen(engine, "before_cursor_execute", capture)
        try:
            page = page_conversations(session, ADMIN, page=3, per_page=50)
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        assert len(page.rows) == 50 and captured, "the page query was not seen"
        statement, params = captured[0]
        cursor = session.connection().connection.cursor()
        cursor.execute("EXPLAIN " + statement, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # The page's ids come from walking the listing index backwards: no sort of the table.
    assert "Index Scan Backward using ix_conversations_started_at_external_id" in plan, plan
    assert "Seq Scan on conversations" not in plan and "Sort" not in plan, plan
