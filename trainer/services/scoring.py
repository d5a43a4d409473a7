"""Score stored conversations with a rubric and store the evaluations."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from trainer.access import Actor
from trainer.batch_gc import batch_gc
from trainer.db.models import ConversationRecord
from trainer.db.repository import (
    require_conversation,
    save_evaluations,
    store_rubric,
    to_conversation,
)
from trainer.nlp.patterns import load_patterns
from trainer.nlp.pipeline import load_nlp
from trainer.scoring.context import ScoringContext
from trainer.scoring.engine import EvaluationResult, score_conversation
from trainer.scoring.rubric import Rubric, find_rubric

DEFAULT_RUBRIC = "customer_service"
# Conversations loaded, scored and written together: big enough that the bulk writes pay off,
# small enough to keep memory flat and a failed chunk cheap to redo one by one.
CHUNK_SIZE = 200


@dataclass
class ScoreSummary:
    """What a scoring run did."""

    scored: list[tuple[str, float | None]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def resolve_rubric(rubric: str | Rubric | None) -> Rubric:
    """A Rubric from an object, a shipped id, a file path, or the default."""
    if isinstance(rubric, Rubric):
        return rubric
    return find_rubric(rubric or DEFAULT_RUBRIC)


def score_stored(
    session: Session,
    external_ids: Iterable[str] | None,
    rubric: str | Rubric | None = None,
    progress: Callable[[str], None] | None = None,
    *,
    chunk_size: int = CHUNK_SIZE,
) -> ScoreSummary:
    """Score the named conversations (all of them when None), `chunk_size` at a time.

    Each chunk is loaded with its turns in one query, scored, and written in bulk inside one
    savepoint (one DELETE of the earlier automatic evaluations, one INSERT of evaluations and
    one of criterion rows). When that savepoint fails, the chunk is written again one
    conversation per savepoint, so a conversation that fails to score or store gets status
    'failed' with the reason, the others go on, and nothing already stored is lost.
    """
    rubric = resolve_rubric(rubric)
    rubric_row = store_rubric(session, rubric)
    summary = ScoreSummary()
    with _scoring_batch():
        for ids in conversation_chunks(session, external_ids, chunk_size):
            _score_chunk(session, ids, rubric, rubric_row.id, summary, progress)
    return summary


def conversation_chunks(
    session: Session, external_ids: Iterable[str] | None, chunk_size: int = CHUNK_SIZE
) -> list[list[int]]:
    """The primary keys of the conversations to score, in chunks: every stored one (by external
    id) when `external_ids` is None, else those named, in the order named (NotFoundError for
    the first unknown one, before anything is scored)."""
    if external_ids is None:
        ids = list(
            session.scalars(select(ConversationRecord.id).order_by(ConversationRecord.external_id))
        )
    else:
        wanted = list(dict.fromkeys(external_ids))
        known: dict[str, int] = {}
        for i in range(0, len(wanted), 500):
            rows = session.execute(
                select(ConversationRecord.external_id, ConversationRecord.id).where(
                    ConversationRecord.external_id.in_(wanted[i : i + 500])
                )
            )
            known.update((external_id, pk) for external_id, pk in rows)
        for external_id in wanted:
            if external_id not in known:
                require_conversation(session, external_id)  # raises NotFoundError naming it
        ids = [known[external_id] for external_id in wanted]
    size = max(1, chunk_size)
    return [ids[i : i + size] for i in range(0, len(ids), size)]


@dataclass
class _Scored:
    record: ConversationRecord
    result: EvaluationResult
    ctx: ScoringContext


def _score_chunk(
    session: Session,
    ids: list[int],
    rubric: Rubric,
    rubric_id: int,
    summary: ScoreSummary,
    progress: Callable[[str], None] | None,
) -> None:
    """Score and store one chunk of conversations (see `score_stored`)."""
    held = {key[1][0] for key in session.identity_map.keys() if key[0] is ConversationRecord}
    records = _load_chunk(session, ids)
    scored, failed = _score_records(records, rubric)
    _write_chunk(session, rubric_id, records, scored, failed, summary, progress)
    # Written: let them go, so a run over every conversation holds one chunk at a time (the
    # session would otherwise keep all of them, and the garbage collector scan them all).
    # Records the caller already held stay attached.
    for record in records:
        if record.id not in held:
            session.expunge(record)


def _load_chunk(
    session: Session, ids: list[int], *, turns: bool = True
) -> list[ConversationRecord]:
    """The chunk's stored conversations in the order of `ids` (with their turns when asked;
    one no longer stored is left out)."""
    options = [selectinload(ConversationRecord.agent)]
    if turns:
        options.append(selectinload(ConversationRecord.turns))
    loaded = {
        r.id: r
        for r in session.scalars(
            select(ConversationRecord).where(ConversationRecord.id.in_(ids)).options(*options)
        )
    }
    return [loaded[i] for i in ids if i in loaded]


def _score_records(
    records: list[ConversationRecord], rubric: Rubric
) -> tuple[list[_Scored], list[tuple[ConversationRecord, BaseException]]]:
    """Each record scored (reads only: nothing is written), or the exception that stopped it."""
    nlp = load_nlp()
    scored: list[_Scored] = []
    failed: list[tuple[ConversationRecord, BaseException]] = []
    for record in records:
        try:
            conversation = to_conversation(record)
            ctx = ScoringContext(conversation, nlp)
            scored.append(_Scored(record, score_conversation(conversation, rubric, nlp, ctx), ctx))
        except Exception as exc:  # noqa: BLE001 - one bad conversation must not stop the run
            failed.append((record, exc))
    return scored, failed


def _write_chunk(
    session: Session,
    rubric_id: int,
    records: list[ConversationRecord],
    scored: list[_Scored],
    failed: list[tuple[ConversationRecord, BaseException]],
    summary: ScoreSummary,
    progress: Callable[[str], None] | None,
) -> None:
    """Store a scored chunk: in bulk inside one savepoint, else one conversation per savepoint
    (a conversation that fails to store gets status 'failed' with the reason)."""
    try:
        with session.begin_nested():
            _store_scored(session, rubric_id, scored)
    except Exception as exc:  # noqa: BLE001 - find the one that fails, store the others
        _raise_if_transient(exc)
        kept = []
        for item in scored:
            try:
                with session.begin_nested():
                    _store_scored(session, rubric_id, [item])
                kept.append(item)
            except Exception as one:  # noqa: BLE001
                _raise_if_transient(one)
                failed.append((item.record, one))
        scored = kept
    stored = {id(item.record): item.result.score for item in scored}
    reasons = {}
    for record, exc in failed:
        reasons[id(record)] = f"scoring failed: {type(exc).__name__}: {exc}"
        record.status, record.status_reason = "failed", reasons[id(record)]
    for record in records:
        if id(record) in stored:
            summary.scored.append((record.external_id, stored[id(record)]))
        else:
            summary.failed.append((record.external_id, reasons[id(record)]))
        if progress:
            progress(record.external_id)
    session.flush()


def _raise_if_transient(exc: BaseException) -> None:
    """Re-raise a lost or locked database: the whole run fails and is retried, not one chat."""
    from trainer.db.retry import is_transient

    if is_transient(exc):
        raise exc


def _store_scored(session: Session, rubric_id: int, scored: list[_Scored]) -> None:
    """Write scored conversations: their evaluations in bulk, their status, and what else a
    scored conversation yields (see `_after_scoring_many`)."""
    save_evaluations(session, rubric_id, [(item.record.id, item.result) for item in scored])
    for item in scored:
        item.record.status, item.record.status_reason = "scored", None
    _after_scoring_many(session, scored)
    session.flush()


@contextmanager
def _scoring_batch() -> Iterator[None]:
    """A block that scores: the pipeline, the patterns and what `_after_scoring_many` imports
    (pandas with it) are loaded first, once per process (so forked workers inherit them), then
    frozen out of the garbage collector's scans for the block (`batch_gc`)."""
    import trainer.services.promises  # noqa: F401
    import trainer.services.reasons  # noqa: F401

    load_patterns(load_nlp())
    with batch_gc():
        yield


def _after_scoring_many(session: Session, scored: list[_Scored]) -> None:
    """What else scored conversations yield: their contact reason (when the organisation
    trained a classifier) and their follow-up promises (stored, and earlier ones they keep)."""
    from trainer.services.promises import track_promises_many
    from trainer.services.reasons import classify_many

    classify_many([s.record for s in scored], [s.ctx.conversation for s in scored])
    track_promises_many(session, [(s.record, s.ctx) for s in scored])


def score_in_workers(
    external_ids: Iterable[str] | None,
    rubric: str | Rubric | None,
    workers: int,
    progress: Callable[[str], None] | None = None,
    url: str | None = None,
    *,
    chunk_size: int = CHUNK_SIZE,
) -> ScoreSummary:
    """`score_stored` over `workers` processes: the conversations are cut into chunks, and each
    process scores one chunk at a time with its own engine and session, committing each chunk
    in its own transaction (a chunk stored is kept even if a later one fails). The caller
    authorizes first (`authorize_rescore`). With one worker it runs here, chunk by chunk."""
    from trainer.db.session import session_scope, transaction
    from trainer.services.workers import run_forked

    rubric = resolve_rubric(rubric)
    with session_scope(url) as session:
        rubric_id = store_rubric(session, rubric).id  # once, before the workers race to
        chunks = conversation_chunks(session, external_ids, chunk_size)
    if workers > 1:
        chunks = balanced(chunks, workers)
    summary = ScoreSummary()
    if workers <= 1:
        for ids in chunks:
            part = transaction(lambda s, ids=ids: _chunk_summary(s, ids, rubric, rubric_id), url)
            _merge(summary, part, progress)
        return summary
    jobs = [(url, ids, rubric, rubric_id) for ids in chunks]
    # Loaded and frozen before the fork: the workers inherit both, and copy fewer pages.
    with _scoring_batch():
        for part in run_forked(_score_chunk_job, jobs, workers):
            _merge(summary, part, progress)
    return summary


def balanced(chunks: list[list[int]], workers: int) -> list[list[int]]:
    """The same ids cut into a multiple of `workers` chunks of near-equal size (none larger
    than before), so no worker is left scoring a last chunk alone while the others wait."""
    ids = [i for chunk in chunks for i in chunk]
    if not ids:
        return []
    count = -(-len(chunks) // workers) * workers
    count = min(count, len(ids))
    size, extra = divmod(len(ids), count)
    out, start = [], 0
    for n in range(count):
        end = start + size + (1 if n < extra else 0)
        out.append(ids[start:end])
        start = end
    return out


def _chunk_summary(session: Session, ids: list[int], rubric: Rubric, rubric_id: int):
    part = ScoreSummary()
    with _scoring_batch():
        _score_chunk(session, ids, rubric, rubric_id, part, None)
    return part


def _score_chunk_job(job: tuple) -> ScoreSummary:
    """One chunk in a worker process: scored in a read-only session, then written in its own
    transaction. Only the writing is retried while SQLite is locked: another worker's commit
    between this one's first read and first write makes SQLite refuse the write at once
    (busy_timeout cannot wait for a stale snapshot), and a retry of the whole job scored the
    chunk again (one chunk in eight, measured on 3000 chats with 2 workers)."""
    from trainer.db.session import session_scope, transaction

    url, ids, rubric, rubric_id = job
    with _scoring_batch():
        with session_scope(url) as session:
            records = _load_chunk(session, ids)
            scored, failed = _score_records(records, rubric)
            # Plain values: the records expire when this read-only session ends.
            names = {record.id: record.external_id for record in records}
            done = {item.record.id: (item.result, item.ctx) for item in scored}
            errors = {record.id: exc for record, exc in failed}
        return transaction(lambda s: _write_scored(s, ids, rubric_id, names, done, errors), url)


def _write_scored(
    session: Session,
    ids: list[int],
    rubric_id: int,
    names: dict[int, str],
    done: dict[int, tuple[EvaluationResult, ScoringContext]],
    errors: dict[int, BaseException],
) -> ScoreSummary:
    """A chunk scored in another session, written in this one onto its freshly loaded records
    (a conversation deleted in between is reported failed; nothing is written for it)."""
    part = ScoreSummary()
    records = [r for r in _load_chunk(session, ids, turns=False) if r.id in names]
    still = {r.id for r in records}
    part.failed += [
        (name, "deleted while it was being scored") for i, name in names.items() if i not in still
    ]
    scored = [_Scored(r, *done[r.id]) for r in records if r.id in done]
    failed = [(r, errors[r.id]) for r in records if r.id in errors]
    _write_chunk(session, rubric_id, records, scored, failed, part, None)
    return part


def _merge(summary: ScoreSummary, part: ScoreSummary, progress) -> None:
    summary.scored += part.scored
    summary.failed += part.failed
    if progress:
        for external_id, *_ in part.scored + part.failed:
            progress(external_id)


def authorize_rescore(
    session: Session, actor: Actor, external_ids: Iterable[str] | None
) -> list[str] | None:
    """Raise unless the actor may re-score these conversations (every one when None: admins);
    "not found" for any the actor may not see. Returns the ids as a list."""
    from trainer.access import Action, authorize
    from trainer.errors import ForbiddenError
    from trainer.services.views import visible_conversation

    authorize(actor, Action.CORRECT_TRANSCRIPT)
    if external_ids is None:
        if not actor.is_admin:
            raise ForbiddenError("only an admin may re-score every conversation at once")
        return None
    ids = list(external_ids)
    for external_id in ids:
        # "not found" for what the actor may not see, "forbidden" only for what they can.
        visible_conversation(session, actor, external_id, Action.CORRECT_TRANSCRIPT)
    return ids


def queue_rescore(
    session: Session, actor: Actor, external_ids: Iterable[str] | None, rubric: str | None = None
):
    """Check as `rescore` does, then hand the scoring to `trainer worker`; the request is in
    the audit log. Returns the queued job."""
    from trainer.jobs.queue import default_queue
    from trainer.services.audit import record_event

    ids = authorize_rescore(session, actor, external_ids)
    resolve_rubric(rubric)  # fail now on a bad rubric, not later in the worker
    job = default_queue().score(ids, rubric)
    record_event(
        session,
        actor,
        "rescore.queued",
        object_type="conversation",
        after={"conversations": ids if ids is None or len(ids) <= 50 else len(ids)},
    )
    return job


def rescore(
    session: Session,
    actor: Actor,
    external_ids: Iterable[str] | None,
    rubric: str | Rubric | None = None,
    progress: Callable[[str], None] | None = None,
    *,
    workers: int = 1,
) -> ScoreSummary:
    """Score conversations again on a person's request (the CLI's `score`, the review page):
    each must be one the actor may re-score; the request is in the audit log. Human reviews are
    separate rows and are never touched. With `workers` > 1 the scoring runs in that many
    processes (`score_in_workers`), each chunk committed as it is done."""
    from trainer.services.audit import record_event

    external_ids = authorize_rescore(session, actor, external_ids)
    if workers > 1:
        summary = score_in_workers(external_ids, rubric, workers, progress)
    else:
        summary = score_stored(session, external_ids, rubric, progress)
    record_event(
        session,
        actor,
        "rescore",
        object_type="conversation",
        object_id=external_ids[0] if external_ids and len(external_ids) == 1 else None,
        after={
            "scored": len(summary.scored),
            "failed": len(summary.failed),
            "conversations": external_ids if external_ids and len(external_ids) <= 50 else None,
        },
    )
    return summary
