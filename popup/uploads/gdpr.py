"""Files a user uploaded: exported as files; documents and vitrine photos deleted on
erasure, photos of premises kept (they show a shop, not a person)."""

from __future__ import annotations

from sqlalchemy import delete, or_, select

from popup import gdpr
from popup.extensions import db
from popup.uploads.models import Document, Image

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}


def export(user) -> gdpr.Export:
    images = db.session.scalars(
        select(Image).where(or_(Image.uploaded_by_id == user.id, Image.profile_user_id == user.id)).order_by(Image.id)
    ).all()
    documents = db.session.scalars(select(Document).where(Document.user_id == user.id).order_by(Document.id)).all()
    files: dict[str, bytes] = {}
    data: dict[str, list] = {"images": [], "documents": []}
    for image in images:
        name = f"image-{image.id}.{EXTENSIONS.get(image.content_type, 'bin')}"
        files[name] = image.data
        data["images"].append(
            {**gdpr.row(image, "id", "unit_id", "alt_text", "content_type", "created_at"), "file": name}
        )
    for document in documents:
        name = f"document-{document.id}-{document.filename}"
        files[name] = document.data
        data["documents"].append({**gdpr.row(document, "id", "kind", "filename", "created_at"), "file": name})
    return gdpr.Export(data, files)


def erase(user) -> None:
    db.session.execute(delete(Document).where(Document.user_id == user.id))
    db.session.execute(delete(Image).where(Image.profile_user_id == user.id))
    db.session.flush()


gdpr.register("uploads", export, erase, tables=("images", "documents"))
