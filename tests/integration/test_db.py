"""Storage on SQLite and on the local PostgreSQL: migrations, idempotency, evaluations."""

import pytest
from sqlalchemy import func, inspect, select

from trainer.access import Actor
from trainer.db.migrate import current_revision
from trainer.db.models import ConversationRecord, CriterionScore, Evaluation, TurnRecord
from trainer.db.repository import store_conversation, store_rubric
from trainer.db.session import get_sessionmaker, session_scope
from trainer.errors import IngestError, RubricError
from trainer.scoring.rubric import find_rubric
from trainer.services.scoring import score_stored
from trainer.services.views import conversation_view, list_conversations, scorecard

from ..conftest import GOOD_CHAT, POOR_CHAT, make_conversation

ADMIN = Actor.local_admin()


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_db_migrations_create_every_table_on_an_empty_database(db_url):
    engine = get_sessionmaker(db_url).kw["bind"]
    assert current_revision(engine) == "0010"
    tables = set(inspect(engine).get_table_names())
    assert {
        "users",
        "teams",
        "team_members",
        "auth_sessions",
        "api_tokens",
        "audit_events",
        "conversations",
        "turns",
        "rubrics",
        "evaluations",
        "criterion_scores",
        "alembic_version",
    } <= tables


def test_db_store_is_idempotent_and_refuses_silent_overwrites(db_url):
    conversation = make_conversation(GOOD_CHAT, external_id="c-1", agent="Sam Lee")
    with session_scope() as session:
        assert store_conversation(session, conversation).action == "created"
    with session_scope() as session:
        assert store_conversation(session, conversation).action == "unchanged"
        assert count(session, ConversationRecord) == 1
        assert count(session, TurnRecord) == len(GOOD_CHAT)
    changed = make_conversation(POOR_CHAT, external_id="c-1", agent="Sam Lee")
    with pytest.raises(IngestError, match="already stored with other content"):
        with session_scope() as session:
            store_conversation(session, changed)
    with session_scope() as session:  # the failed attempt changed nothing
        record = session.scalar(select(ConversationRecord))
        assert [t.text for t in record.turns] == [t for _, t in GOOD_CHAT]
        assert store_conversation(session, changed, replace=True).action == "replaced"
    with session_scope() as session:
        assert count(session, TurnRecord) == len(POOR_CHAT)


def test_db_scoring_twice_keeps_one_automatic_evaluation(db_url):
    with session_scope() as session:
        store_conversation(
            session,
            make_conversation(GOOD_CHAT, external_id="g", agent="Sam Lee", customer="Dana Ruiz"),
        )
        store_conversation(
            session, make_conversation(POOR_CHAT, external_id="p", agent="Leo Fischer")
        )
    for _ in range(2):
        with session_scope() as session:
            summary = score_stored(session, None)
            assert [cid for cid, _ in summary.scored] == ["g", "p"]
    with session_scope() as session:
        assert count(session, Evaluation) == 2
        assert count(session, CriterionScore) == 2 * len(find_rubric("customer_service").criteria())
        view = conversation_view(session, ADMIN, "g")
        assert view["score"] == 100.0 and view["rubric"] == "customer_service@4"
        assert view["status"] == "scored"
        criterion = next(c for c in view["criteria"] if c["id"] == "acknowledges-feelings")
        evidence = criterion["evidence"][0]
        text = view["turns"][evidence["turn"]]["text"]
        assert text[evidence["start"] : evidence["end"]].lower() == "sorry you've had to"
        rows = list_conversations(session, ADMIN)
        assert [r["conversation"] for r in rows] == ["g", "p"]
        card = {row["agent"]: row for row in scorecard(session, ADMIN)}
        assert card["Sam Lee"]["empathy"] > card["Leo Fischer"]["empathy"]


def test_db_rubric_edited_without_version_bump_is_refused(db_url):
    rubric = find_rubric("customer_service")
    with session_scope() as session:
        store_rubric(session, rubric)
    edited = rubric.model_copy(update={"title": "Edited title"})
    with pytest.raises(RubricError, match="bump 'version'"):
        with session_scope() as session:
            store_rubric(session, edited)


def test_db_deleting_a_conversation_cascades(db_url):
    with session_scope() as session:
        store_conversation(session, make_conversation(GOOD_CHAT, external_id="g"))
        score_stored(session, ["g"])
    with session_scope() as session:
        session.delete(session.scalar(select(ConversationRecord)))
    with session_scope() as session:
        assert count(session, TurnRecord) == 0
        assert count(session, Evaluation) == 0
        assert count(session, CriterionScore) == 0


def test_db_committed_migrations_match_the_models(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from trainer.db.models import Base

    engine = get_sessionmaker(db_url).kw["bind"]
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == [], "models changed without a migration: run alembic revision --autogenerate"


def test_db_review_workflow_migration_downgrades_and_upgrades_again(db_url):
    from alembic import command

    from trainer.db.migrate import alembic_config, upgrade

    engine = get_sessionmaker(db_url).kw["bind"]
    command.downgrade(alembic_config(engine), "0005")
    assert current_revision(engine) == "0005"
    assert "review_disputes" not in set(inspect(engine).get_table_names())
    upgrade(engine)
    assert current_revision(engine) == "0010"
    kind = next(c for c in inspect(engine).get_columns("evaluations") if c["name"] == "kind")
    assert kind["type"].length == 20  # room for "calibration"


def test_db_head_revision_is_the_newest_committed_migration():
    # Start-up recognises a migrated database by this constant alone: a new migration must
    # move it, or databases would never be upgraded.
    from alembic.script import ScriptDirectory

    from trainer.db.migrate import alembic_config
    from trainer.db.session import HEAD_REVISION

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION


def test_db_an_older_database_is_upgraded_when_a_process_opens_it(db_url):
    from alembic import command

    from trainer.db.migrate import alembic_config
    from trainer.db.session import reset_cache

    engine = get_sessionmaker(db_url).kw["bind"]
    command.downgrade(alembic_config(engine), "0007")
    assert current_revision(engine) == "0007"
    reset_cache()  # a new process
    engine = get_sessionmaker(db_url).kw["bind"]
    assert current_revision(engine) == "0010"


def test_db_customer_key_migration_folds_the_names_already_stored(db_url):
    # Rows stored before 0010 get the key FCR compares, so their later contacts are found.
    from alembic import command
    from sqlalchemy import text

    from trainer.db.migrate import alembic_config, upgrade

    engine = get_sessionmaker(db_url).kw["bind"]
    command.downgrade(alembic_config(engine), "0009")
    with engine.begin() as connection:
        for i, name in enumerate(["  Dána  RUIZ.", "Customer", None]):
            connection.execute(
                text(
                    "INSERT INTO conversations (external_id, channel, customer_name,"
                    " content_hash, status, extra, created_at, updated_at) VALUES"
                    " (:e, 'chat', :n, 'h', 'ingested', '{}', :at, :at)"
                ),
                {"e": f"old-{i}", "n": name, "at": "2026-12-01 10:00:00"},
            )
    upgrade(engine)
    with engine.connect() as connection:
        keys = dict(
            connection.execute(
                text("SELECT external_id, customer_key FROM conversations ORDER BY external_id")
            ).all()
        )
    # placeholder and missing names stay without a key: never evidence of the same person
    assert keys == {"old-0": "dana ruiz", "old-1": None, "old-2": None}


def test_db_customer_key_follows_the_name_whenever_it_is_set(db_url):
    with session_scope(db_url) as session:
        record = store_conversation(
            session, make_conversation(GOOD_CHAT, external_id="keyed")
        ).record
        record.customer_name = "Émile  Zola!"
        session.flush()
        assert record.customer_key == "emile zola"
        record.customer_name = None
        session.flush()
        stored = session.scalar(
            select(ConversationRecord.customer_key).where(ConversationRecord.id == record.id)
        )
        assert stored is None
