"""Import units from CSV or GeoJSON files; export them as CSV or GeoJSON.

Staff only, and only for their own communes (administrators: every commune).
The uploaded file waits in the database between the preview and the
confirmation: the confirmation may reach another app server.
"""

from __future__ import annotations

import dataclasses
import json

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from popup.auth.models import User
from popup.communes.models import Commune
from popup.domain import exporting, importing
from popup.errors import render_error
from popup.extensions import db
from popup.imports import operations, queries
from popup.imports.forms import ConfirmForm, UploadForm, mapping_form, status_field_name
from popup.imports.messages import describe, encoding_label
from popup.imports.models import ImportUpload
from popup.permissions import any_staff, policy
from popup.types import utcnow
from popup.units.filters import FilterError, parse_filters

INVALID = 422
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
FORM_OVERHEAD_BYTES = 64 * 1024  # the other fields and the multipart envelope
SHOWN_REJECTIONS = 1000
SAMPLE_ROWS = 3


def allow_big_uploads(endpoint: str | None, values) -> None:
    """Let the upload page take files up to MAX_UPLOAD_BYTES (the app's own cap may be lower).

    A url_value_preprocessor, because those run before every before_request
    hook, and CSRF protection reads the form (hence the body) in one.
    """
    if endpoint == "imports.upload":
        request.max_content_length = MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES


def too_large(_exc):
    """413 on the upload page: say what the limit is."""
    db.session.rollback()
    if request.endpoint != "imports.upload":
        return render_error(413)
    return render_error(413, _("The file is larger than %(mb)s MB: split it into smaller files.", mb=_mb()))


def _mb() -> int:
    return MAX_UPLOAD_BYTES // (1024 * 1024)


# -- import ----------------------------------------------------------------------


def _user() -> User:
    """The logged-in user itself (not the proxy), to store in relationships."""
    return current_user._get_current_object()


def _staff_communes() -> list[Commune]:
    if current_user.role == "admin":
        return list(db.session.scalars(select(Commune).order_by(Commune.name)))
    return list(current_user.communes)


def _upload_or_404(upload_id: int, *, lock: bool = False) -> ImportUpload:
    """The upload, if the current user made it and still works for its commune.

    ``lock``: a second confirmation of the same upload waits for the first,
    then finds it gone (PostgreSQL; SQLite serialises writers anyway).
    """
    upload = db.session.get(ImportUpload, upload_id, with_for_update=lock)
    if upload is None or upload.created_at < utcnow() - operations.UPLOAD_LIFETIME:
        abort(404)
    if upload.user_id != current_user.id or not current_user.is_staff_of(upload.commune):
        abort(403)
    return upload


def _read(upload: ImportUpload) -> importing.Table:
    return importing.read_table(upload.content, upload.filename)


@policy(any_staff)
def upload():
    communes = _staff_communes()
    form = UploadForm()
    form.commune.choices = [(c.id, c.name) for c in communes]
    status = 200
    if request.method == "POST":
        chosen = db.session.get(Commune, form.commune.data) if isinstance(form.commune.data, int) else None
        if chosen is not None and not current_user.is_staff_of(chosen):
            abort(403)
        status = INVALID
    if form.validate_on_submit():
        file = form.file.data
        content = file.read(MAX_UPLOAD_BYTES + 1)
        filename = (file.filename or "units.csv").strip()[:255]
        if len(content) > MAX_UPLOAD_BYTES:
            form.file.errors.append(_("The file is larger than %(mb)s MB: split it into smaller files.", mb=_mb()))
            status = 413
        else:
            try:
                importing.read_table(content, filename)
            except importing.ImportFileError as exc:
                form.file.errors.append(describe(exc.problem.code, exc.problem.params))
            else:
                commune = db.session.get(Commune, form.commune.data)
                stored = operations.store_upload(commune, _user(), filename, content)
                db.session.commit()
                return redirect(url_for("imports.mapping", upload_id=stored.id))
    return render_template("imports/upload.html", form=form, communes=communes, max_mb=_mb()), status


def _initial_choices(upload: ImportUpload, table: importing.Table) -> operations.ImportOptions:
    """What the mapping page shows first: this upload's last choices, the commune's saved mapping, or a guess."""
    if upload.settings:
        return operations.ImportOptions.from_json(upload.settings)
    columns = importing.suggest_mapping(table.headers)
    saved = operations.saved_mapping(upload.commune)
    if saved is None:
        return operations.ImportOptions(columns=columns)
    options = operations.options_from_saved(saved)
    columns, _missing = importing.overlay_mapping(table.headers, columns, options.columns)
    return dataclasses.replace(options, columns=columns)


def _form_data(options: operations.ImportOptions, words: list[str]) -> dict[str, object]:
    data: dict[str, object] = {f"column_{name}": header for name, header in options.columns.items()}
    for word in words:
        data[status_field_name(word)] = importing.resolve_status(word, options.status_values) or ""
    data["default_status"] = options.default_status or ""
    data["all_or_nothing"] = options.all_or_nothing
    return data


@policy(any_staff)
def mapping(upload_id: int):
    upload = _upload_or_404(upload_id)
    try:
        table = _read(upload)
    except importing.ImportFileError as exc:  # pragma: no cover - checked when uploaded
        flash(describe(exc.problem.code, exc.problem.params), "danger")
        return redirect(url_for("imports.upload"))
    if request.method == "POST":
        status_column = request.form.get("column_status") or None
        if status_column not in table.headers:
            status_column = None
        words = importing.status_words(table, status_column)
        form = mapping_form(table.headers, words)
    else:
        initial = _initial_choices(upload, table)
        words = importing.status_words(table, initial.columns.get("status"))
        form = mapping_form(table.headers, words, data=_form_data(initial, words))

    problems: list[str] = []
    if form.validate_on_submit():
        options = operations.ImportOptions(
            columns=form.columns(),
            status_values=form.status_values(),
            default_status=form.default_status.data or None,
            all_or_nothing=form.all_or_nothing.data,
        )
        problems = [describe(p.code, p.params) for p in importing.mapping_problems(table, options.columns)]
        if not problems:
            report = operations.import_units(
                upload.commune, table, options, by=_user(), filename=upload.filename, dry_run=True
            )
            upload.settings = {**options.as_json(), "save_mapping": form.save_mapping.data}
            db.session.commit()
            return render_template(
                "imports/preview.html",
                upload=upload,
                report=report,
                rejections=_shown(report),
                confirm_form=ConfirmForm(formdata=None),
            )
    status = INVALID if form.is_submitted() else 200
    return render_template(
        "imports/mapping.html",
        upload=upload,
        table=table,
        form=form,
        problems=problems,
        sample=table.records[:SAMPLE_ROWS],
        too_many_words=len(words) > len(form.status_words),
        encoding=encoding_label(table.encoding),
    ), status


def _shown(report: operations.ImportReport) -> list[dict[str, object]]:
    return [
        {"line": r.line, "column": r.column, "address": r.address, "reason": describe(r.code, r.params)}
        for r in report.rejections[:SHOWN_REJECTIONS]
    ]


@policy(any_staff)
def confirm(upload_id: int):
    upload = _upload_or_404(upload_id, lock=True)
    form = ConfirmForm()
    if not form.validate_on_submit() or not upload.settings:
        flash(_("Choose the columns and preview the import first."), "warning")
        return redirect(url_for("imports.mapping", upload_id=upload.id))
    options = operations.ImportOptions.from_json(upload.settings)
    commune, filename = upload.commune, upload.filename
    user = _user()
    report = operations.import_units(commune, _read(upload), options, by=user, filename=filename, dry_run=False)
    if report.blocked:
        db.session.rollback()
        status = INVALID
    else:
        if upload.settings.get("save_mapping"):
            operations.save_mapping(commune, options, by=user)
        operations.discard_upload(upload)
        db.session.commit()
        status = 200
    return render_template(
        "imports/result.html", commune=commune, filename=filename, report=report, rejections=_shown(report)
    ), status


# -- export ----------------------------------------------------------------------


def _export_filters():
    """The filters of the query string, limited to the communes the user is staff of."""
    filters = parse_filters(request.args)
    slug = request.args.get("commune", "").strip()
    if slug:
        commune = db.session.scalars(select(Commune).where(Commune.slug == slug)).one_or_none()
        if commune is None:
            raise FilterError("commune", _("Unknown commune."))
        if not current_user.is_staff_of(commune):
            abort(403)
        return dataclasses.replace(filters, commune_ids=(commune.id,)), slug
    if current_user.role == "admin":
        return filters, "all"
    return dataclasses.replace(filters, commune_ids=tuple(c.id for c in current_user.communes)), "all"


def _filename(scope: str, extension: str) -> str:
    return f"units-{scope}-{utcnow().date().isoformat()}.{extension}"


def _bad_filter(exc: FilterError) -> Response:
    message = _("Bad parameter %(parameter)s: %(message)s", parameter=exc.parameter, message=exc.message)
    return render_error(400, message)


@policy(any_staff)
def export_csv():
    try:
        filters, scope = _export_filters()
    except FilterError as exc:
        return _bad_filter(exc)
    body = exporting.to_csv(queries.export_rows(filters))
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(scope, "csv")}"'
    return response


@policy(any_staff)
def export_geojson():
    try:
        filters, scope = _export_filters()
    except FilterError as exc:
        return _bad_filter(exc)
    body = json.dumps(exporting.to_geojson(queries.export_rows(filters)), ensure_ascii=False)
    response = Response(body, mimetype="application/geo+json")
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(scope, "geojson")}"'
    return response
