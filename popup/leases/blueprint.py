from datetime import date

from flask import Blueprint
from flask_babel import format_date

from popup.leases import views
from popup.leases.labels import graduation_label, lease_status_label, method_label, payment_method_label

bp = Blueprint("leases", __name__)
bp.add_url_rule("/leases/", "index", views.index)
bp.add_url_rule("/c/<slug>/leases", "commune_index", views.commune_index)
bp.add_url_rule("/c/<slug>/leases/new", "create", views.create, methods=("GET", "POST"))
bp.add_url_rule("/c/<slug>/leases/subsidies", "subsidies", views.subsidies)
bp.add_url_rule("/c/<slug>/leases/overdue", "overdue", views.overdue)
bp.add_url_rule("/leases/<int:lease_id>", "detail", views.detail)
bp.add_url_rule("/leases/<int:lease_id>/edit", "edit", views.edit, methods=("GET", "POST"))
bp.add_url_rule("/leases/<int:lease_id>/sign", "sign", views.sign, methods=("POST",))
bp.add_url_rule("/leases/<int:lease_id>/start", "start", views.start, methods=("POST",))
bp.add_url_rule("/leases/<int:lease_id>/end", "end", views.end, methods=("POST",))
bp.add_url_rule("/leases/<int:lease_id>/terminate", "terminate", views.terminate, methods=("GET", "POST"))
bp.add_url_rule("/leases/<int:lease_id>/tenants/new", "tenant_new", views.tenant_new, methods=("GET", "POST"))
bp.add_url_rule(
    "/leases/<int:lease_id>/tenants/<int:tenant_id>/edit", "tenant_edit", views.tenant_edit, methods=("GET", "POST")
)
bp.add_url_rule(
    "/leases/<int:lease_id>/tenants/<int:tenant_id>/remove", "tenant_remove", views.tenant_remove, methods=("POST",)
)
bp.add_url_rule(
    "/leases/<int:lease_id>/tenants/<int:tenant_id>/graduation",
    "graduation",
    views.graduation,
    methods=("GET", "POST"),
)
bp.add_url_rule("/leases/<int:lease_id>/statements/<int:year>/<int:month>", "statement", views.statement)
bp.add_url_rule("/leases/<int:lease_id>/document", "document", views.document)
bp.add_url_rule("/leases/<int:lease_id>/payments", "payments", views.payments)
bp.add_url_rule("/leases/<int:lease_id>/payments/new", "payment_new", views.payment_new, methods=("GET", "POST"))
bp.add_url_rule(
    "/leases/<int:lease_id>/payments/<int:payment_id>/reverse",
    "payment_reverse",
    views.payment_reverse,
    methods=("POST",),
)
bp.add_url_rule("/leases/<int:lease_id>/ledger.csv", "ledger_export", views.ledger_export)
bp.add_app_template_filter(lease_status_label, "lease_status_label")
bp.add_app_template_filter(method_label, "method_label")
bp.add_app_template_filter(payment_method_label, "payment_method_label")
bp.add_app_template_filter(graduation_label, "graduation_label")


def month_name(year: int, month: int) -> str:
    """ "octobre 2026": a month in the current language."""
    return format_date(date(year, month, 1), "MMMM y")


bp.add_app_template_global(month_name, "month_name")
