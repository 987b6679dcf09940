"""Who may see and act on applications, calls, juries and entrepreneurs' documents.

An object the user may not see answers 404, as if it did not exist: an
entrepreneur learns nothing about another one's applications or documents,
and a draft call is a secret of its commune's staff.
"""

from __future__ import annotations

from flask import abort

from popup.applications.models import Application
from popup.calls.models import Call
from popup.communes.models import Commune
from popup.domain.applications import Actor
from popup.extensions import db
from popup.permissions import Policy, ViewArgs
from popup.uploads.models import Document

MAX_ID = 2**31 - 1  # ids beyond this cannot exist (PostgreSQL's integer refuses them)
MAX_TOKEN = 64


def _get(model, ident):
    if not isinstance(ident, int) or not 0 < ident <= MAX_ID:
        return None
    return db.session.get(model, ident)


def is_entrepreneur(user) -> bool:
    return bool(user.is_authenticated) and user.role == "entrepreneur"


entrepreneur = Policy("entrepreneur", lambda user, args: user.role == "entrepreneur")


# -- applications ------------------------------------------------------------------


def commune_of(application: Application) -> Commune:
    """The commune that decides: the call's, or that of the offered unit."""
    if application.call is not None:
        return application.call.commune
    return application.offer.unit.commune


def is_juror(user, call: Call | None) -> bool:
    return call is not None and any(j.id == user.id for j in call.jurors)


def actor_for(user, application: Application) -> Actor | None:
    """The part the user plays in the application's workflow, or None (owners, jurors, others)."""
    if not user.is_authenticated:
        return None
    if application.entrepreneur_id == user.id:
        return Actor.ENTREPRENEUR
    if user.is_staff_of(commune_of(application)):
        return Actor.STAFF
    return None


def may_view(user, application: Application) -> bool:
    """The applicant, the deciding commune's staff and admins always; jurors and the
    offer's owner once the application has been submitted (a draft is not theirs to read)."""
    if not user.is_authenticated:
        return False
    if actor_for(user, application) is not None:
        return True
    if application.submitted_at is None:
        return False
    if is_juror(user, application.call):
        return True
    return application.offer is not None and application.offer.owner_id == user.id


def visible_application(args: ViewArgs, user) -> Application:
    application = _get(Application, args.get("application_id"))
    if application is None or not may_view(user, application):
        abort(404)
    return application


application_viewer = Policy(
    "the applicant, the commune's staff, the call's jurors or the offer's owner",
    lambda user, args: visible_application(args, user) is not None,
)


def _applicant(user, args: ViewArgs) -> bool:
    return visible_application(args, user).entrepreneur_id == user.id


application_applicant = Policy("the applicant", _applicant)


# -- calls and juries ------------------------------------------------------------


def may_manage_call(user, call: Call) -> bool:
    return bool(user.is_authenticated) and user.is_staff_of(call.commune)


def may_judge(user, call: Call) -> bool:
    """Staff of the call's commune, admins and the call's invited jurors."""
    return may_manage_call(user, call) or (bool(user.is_authenticated) and is_juror(user, call))


def call_or_404(args: ViewArgs) -> Call:
    call = _get(Call, args.get("call_id"))
    if call is None:
        abort(404)
    return call


def _hide_draft(user, call: Call) -> None:
    if call.status == "draft" and not may_manage_call(user, call):
        abort(404)


def _call_visible(user, args: ViewArgs) -> bool:
    _hide_draft(user, call_or_404(args))
    return True


def _staff_of_call(user, args: ViewArgs) -> bool:
    call = call_or_404(args)
    _hide_draft(user, call)
    return may_manage_call(user, call)


def _jury_of_call(user, args: ViewArgs) -> bool:
    call = call_or_404(args)
    if call.status == "draft" and not may_judge(user, call):
        abort(404)
    return may_judge(user, call)


call_viewer = Policy("anyone (a draft call: its commune's staff)", _call_visible, needs_login=False)
staff_of_call = Policy("staff of the call's commune", _staff_of_call)
jury_of_call = Policy("the call's jury: its commune's staff and its jurors", _jury_of_call)


# -- documents ------------------------------------------------------------------------


def document_by_token(token) -> Document | None:
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN:
        return None
    return db.session.execute(db.select(Document).filter_by(token=token)).scalar_one_or_none()


def may_read_document(user, document: Document) -> bool:
    """Its entrepreneur, admins, and whoever may see one of the entrepreneur's applications."""
    if not user.is_authenticated:
        return False
    if document.user_id == user.id or user.role == "admin":
        return True
    applications = db.session.scalars(db.select(Application).filter_by(entrepreneur_id=document.user_id))
    return any(may_view(user, a) for a in applications)


def _document_reader(user, args: ViewArgs) -> bool:
    document = document_by_token(args.get("token"))
    if document is None or not may_read_document(user, document):
        abort(404)
    return True


def _document_owner(user, args: ViewArgs) -> bool:
    document = document_by_token(args.get("token"))
    if document is None or document.user_id != user.id:
        abort(404)
    return True


document_reader = Policy("the document's entrepreneur and those who see their applications", _document_reader)
document_owner = Policy("the document's entrepreneur", _document_owner)
