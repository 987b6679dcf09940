from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from popup.applications.policies import document_by_token, document_owner, document_reader, entrepreneur
from popup.extensions import db
from popup.i18n import euros_input
from popup.permissions import policy, public
from popup.profiles import operations, queries
from popup.profiles.forms import IMAGE_MESSAGES, PDF_MESSAGES, DocumentForm, ProfileForm
from popup.uploads.processing import MAX_IMAGE_BYTES, MAX_PDF_BYTES, UploadError, process_image

INVALID = 422
SANDBOX = "default-src 'none'; sandbox"  # a served file never runs as a page of the site


def _profile_data(profile, photo) -> dict:
    if profile is None:
        return {}
    return {
        "business_name": profile.business_name,
        "concept": profile.concept,
        "sector": profile.sector or "",
        "area_min_m2": profile.area_min_m2,
        "area_max_m2": profile.area_max_m2,
        "budget": euros_input(profile.budget_cents),
        "wanted_start_on": profile.wanted_start_on,
        "test_months": profile.test_months,
        "preferred_cores": list(profile.preferred_core_ids or []),
        "opening_days": list(profile.opening_days or []),
        "public_name": profile.public_name,
        "public_description": profile.public_description,
        "links": "\n".join(profile.links or []),
        "photo_alt": photo.alt_text if photo is not None else "",
    }


def _read_photo(form: ProfileForm):
    """The processed photo, None when none was sent; adds the error to the form when refused."""
    upload = form.photo.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    try:
        return process_image(upload.read(MAX_IMAGE_BYTES + 1))
    except UploadError as exc:
        form.photo.errors = [*form.photo.errors, IMAGE_MESSAGES.get(exc.code, IMAGE_MESSAGES["broken"])]
        return False


@policy(entrepreneur)
def edit():
    user = current_user._get_current_object()
    profile = queries.profile_of(user.id)
    photo = queries.vitrine_photo(user.id)
    grouped = queries.cores_by_commune()
    form = ProfileForm(
        cores=[core for _commune, cores in grouped for core in cores], data=_profile_data(profile, photo)
    )
    if form.validate_on_submit():
        image = _read_photo(form)
        if image is not False:
            profile = operations.save_profile(
                user,
                business_name=form.business_name.data or "",
                concept=form.concept.data or "",
                sector=form.sector.data or None,
                area_min_m2=form.area_min_m2.data,
                area_max_m2=form.area_max_m2.data,
                budget_cents=form.budget_cents,
                wanted_start_on=form.wanted_start_on.data,
                test_months=form.test_months.data,
                preferred_core_ids=sorted(set(form.preferred_cores.data or [])),
                opening_days=sorted(set(form.opening_days.data or [])),
                public_name=form.public_name.data or "",
                public_description=form.public_description.data or "",
                links=form.link_list(),
            )
            alt = form.photo_alt.data or ""
            if image is not None:
                operations.set_photo(profile, image, alt_text=alt, by=user)
            elif form.remove_photo.data:
                operations.remove_photo(profile)
            else:
                operations.set_photo_alt(profile, alt)
            db.session.commit()
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("profiles.edit"))
    status = INVALID if form.is_submitted() else 200
    return (
        render_template(
            "profiles/edit.html",
            form=form,
            profile=profile,
            photo=photo,
            grouped_cores=grouped,
            business_plan=queries.business_plan(user.id),
        ),
        status,
    )


@policy(entrepreneur)
def documents():
    user = current_user._get_current_object()
    form = DocumentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            operations.replace_business_plan(user, upload.read(MAX_PDF_BYTES + 1), upload.filename)
        except UploadError as exc:
            db.session.rollback()
            form.file.errors = [*form.file.errors, PDF_MESSAGES.get(exc.code, PDF_MESSAGES["broken"])]
        else:
            db.session.commit()
            flash(_("Your business plan is saved."), "success")
            return redirect(url_for("profiles.documents"))
    status = INVALID if form.is_submitted() else 200
    return render_template("profiles/documents.html", form=form, documents=queries.documents_of(user)), status


@policy(document_owner)
def delete_document(token: str):
    operations.delete_document(document_by_token(token))
    db.session.commit()
    flash(_("The document is deleted."), "success")
    return redirect(url_for("profiles.documents"))


@policy(document_reader)
def document(token: str):
    found = document_by_token(token)
    response = send_file(
        io.BytesIO(found.data),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=found.filename,
        conditional=False,
        etag=False,
        max_age=0,
    )
    response.headers["Content-Type"] = "application/pdf"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SANDBOX
    response.headers["Cache-Control"] = "no-store"
    return response


@policy(public)
def vitrine(user_id: int):
    profile = queries.public_profile(user_id)
    if profile is None:
        abort(404)
    return render_template("profiles/vitrine.html", profile=profile, photo=queries.vitrine_photo(user_id))


@policy(public)
def photo(user_id: int):
    """The vitrine photo: public with the vitrine; its entrepreneur sees it while editing."""
    own = current_user.is_authenticated and current_user.id == user_id
    if not own and queries.public_profile(user_id) is None:
        abort(404)
    image = queries.vitrine_photo(user_id)
    if image is None:
        abort(404)
    response = send_file(io.BytesIO(image.data), mimetype=image.content_type, conditional=False, etag=False, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SANDBOX
    response.headers["Cache-Control"] = "no-cache" if not own else "no-store"
    return response
