"""Certificates of finished learning paths: find one, and render it as a PDF. They are issued
by `trainer.services.onboarding_progress` (once per person, path and path version); the person,
their lead, HR and admins may read them."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import select
from sqlalchemy.orm import Session

from trainer.access import Action, Actor, authorize
from trainer.access.policy import not_found
from trainer.db.models import Certificate, PathAssignment
from trainer.errors import NotFoundError, TrainerError
from trainer.onboarding.certificate import CertificateContent, render_certificate
from trainer.onboarding.paths import find_path
from trainer.services.accounts import require_user
from trainer.services.onboarding_progress import certificate_view, sees_person


def _visible_certificate(session: Session, actor: Actor, certificate_id: int) -> Certificate:
    authorize(actor, Action.ONBOARDING)
    cert = session.get(Certificate, certificate_id)
    if cert is None or not sees_person(actor, cert.user):
        raise not_found(f"certificate {certificate_id}")
    return cert


def find_certificate(session: Session, actor: Actor, person: str, path_id: str) -> dict:
    """The newest certificate `person` holds for a path (not found if none, or not visible)."""
    authorize(actor, Action.ONBOARDING)
    try:
        user = require_user(session, person)
    except NotFoundError:
        user = None
    if user is None or not sees_person(actor, user):
        raise not_found(f"person {person!r}")
    cert = session.scalar(
        select(Certificate)
        .where(Certificate.user_id == user.id, Certificate.path_id == path_id)
        .order_by(Certificate.path_version.desc())
    )
    if cert is None:
        raise NotFoundError(
            f"{user.name} has no certificate for path {path_id!r}",
            fix=f"see where they are: trainer cohort progress, or trainer path progress {person!r}",
        )
    return certificate_view(cert)


def certificate_pdf(session: Session, actor: Actor, certificate_id: int) -> bytes:
    """The certificate as a PDF (the person, their lead, HR, admins)."""
    cert = _visible_certificate(session, actor, certificate_id)
    try:
        path = find_path(cert.path_id)
        titles = {s.id: s.title for s in path.steps} if path.version == cert.path_version else {}
        path_title = path.title
    except TrainerError:  # the path file is gone: the certificate still stands
        titles, path_title = {}, cert.path_id
    assignment = session.scalar(
        select(PathAssignment).where(
            PathAssignment.user_id == cert.user_id, PathAssignment.path_id == cert.path_id
        )
    )
    scores = dict(cert.scores or {})
    issued = cert.issued_at if cert.issued_at.tzinfo else cert.issued_at.replace(tzinfo=UTC)
    return render_certificate(
        CertificateContent(
            person=cert.user.name,
            path_title=path_title,
            path_ref=f"{cert.path_id}@{cert.path_version}",
            issued_at=issued,
            steps=tuple((titles.get(step, step), score) for step, score in scores.items()),
            cohort=assignment.cohort.name if assignment and assignment.cohort else None,
            number=cert.id,
        )
    )
