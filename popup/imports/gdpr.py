"""Files a staff member uploaded for import (kept a day at most) and the mappings they saved."""

from __future__ import annotations

from sqlalchemy import delete, select

from popup import gdpr
from popup.extensions import db
from popup.imports.models import ImportMapping, ImportUpload


def export(user) -> gdpr.Export:
    uploads = db.session.scalars(select(ImportUpload).where(ImportUpload.user_id == user.id)).all()
    mappings = db.session.scalars(select(ImportMapping).where(ImportMapping.updated_by_id == user.id)).all()
    files = {f"import-{u.id}-{u.filename}": u.content for u in uploads}
    data = {
        "uploads": [
            {**gdpr.row(u, "id", "filename", "created_at"), "file": f"import-{u.id}-{u.filename}"} for u in uploads
        ],
        "mappings_saved": [gdpr.row(m, "commune_id", "updated_at") for m in mappings],
    }
    return gdpr.Export(data, files)


def erase(user) -> None:
    db.session.execute(delete(ImportUpload).where(ImportUpload.user_id == user.id))
    db.session.flush()


gdpr.register("imports", export, erase, tables=("import_uploads",))
