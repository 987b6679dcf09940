from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from popup.communes.models import Commune
from popup.domain.ledger import ledger_csv
from popup.domain.rentsplit import RentSplitError
from popup.extensions import db
from popup.leases import operations, queries
from popup.leases.accounting import lease_account
from popup.leases.forms import (
    COMMUNE,
    GraduationForm,
    LeaseForm,
    PaymentForm,
    ReverseForm,
    TenantForm,
    TerminateForm,
    lease_data,
    tenant_data,
)
from popup.leases.labels import payment_method_label
from popup.leases.messages import LeaseError, message
from popup.leases.models import LeasePayment, LeaseTenant
from popup.leases.policies import (
    is_staff,
    lease_manager,
    lease_staff,
    lease_statement_reader,
    lease_viewer,
    live_lease,
    own_tenancies,
    readable_tenancies,
    sees_whole,
)
from popup.permissions import logged_in, policy, staff_of_commune
from popup.schedules import queries as schedule_queries
from popup.units.models import Unit
from popup.units.queries import local_today

INVALID = 422
NEW_LEASE = {"rent_method": "equal", "charges_method": "equal", "language": "fr", "subsidy_percent": 0}


def _user():
    return current_user._get_current_object()


def _commune(slug: str) -> Commune:
    commune = db.session.execute(db.select(Commune).filter_by(slug=slug)).scalar_one_or_none()
    if commune is None:
        abort(404)
    return commune


def _refused(error: Exception, lease_id: int):
    db.session.rollback()
    flash(message(error), "danger")
    return redirect(url_for("leases.detail", lease_id=lease_id))


# -- lists -----------------------------------------------------------------------------


@policy(logged_in)
def index():
    user = _user()
    staff_communes = list(user.communes) if user.role == "staff" else []
    return render_template("leases/index.html", leases=queries.leases_of_user(user), communes=staff_communes)


@policy(staff_of_commune)
def commune_index(slug: str):
    commune = _commune(slug)
    return render_template("leases/commune.html", commune=commune, leases=queries.commune_leases(commune))


@policy(staff_of_commune)
def subsidies(slug: str):
    commune = _commune(slug)
    lines = queries.subsidies(commune, local_today())
    return render_template(
        "leases/subsidies.html",
        commune=commune,
        lines=lines,
        total=sum(line.subsidy_total_cents for line in lines),
        to_date=sum(line.subsidy_to_date_cents for line in lines),
        paid=sum(line.paid_cents for line in lines),
    )


@policy(staff_of_commune)
def overdue(slug: str):
    commune = _commune(slug)
    lines = queries.overdue(commune, local_today())
    return render_template(
        "leases/overdue.html", commune=commune, lines=lines, total=sum(line.overdue_cents for line in lines)
    )


# -- the lease -------------------------------------------------------------------------


def _lease_form(commune_id: int, lease=None, **kwargs) -> LeaseForm:
    return LeaseForm(
        units=queries.leasable_units(commune_id, keep=lease.unit_id if lease else None),
        owners=queries.users_with_role("owner"),
        **kwargs,
    )


@policy(staff_of_commune)
def create(slug: str):
    commune = _commune(slug)
    form = _lease_form(commune.id, data=NEW_LEASE)
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit.data)
        fields = form.lease_fields()
        fields["owner_id"] = fields["owner_id"] or unit.owner_id
        lease = operations.create_lease(unit=unit, by=_user(), **fields)
        db.session.commit()
        flash(_("Draft lease saved. Add its co-tenants, then sign it."), "success")
        return redirect(url_for("leases.detail", lease_id=lease.id))
    status = INVALID if form.is_submitted() else 200
    return render_template("leases/form.html", form=form, commune=commune, lease=None), status


@policy(lease_staff)
def edit(lease_id: int):
    lease = live_lease(lease_id)
    if lease.status != "draft":
        flash(message(LeaseError("not_draft")), "warning")
        return redirect(url_for("leases.detail", lease_id=lease.id))
    form = _lease_form(lease.commune_id, lease, data=lease_data(lease))
    error = None
    if form.validate_on_submit():
        fields = form.lease_fields()
        unit = db.session.get(Unit, form.unit.data)
        fields["owner_id"] = fields["owner_id"] or unit.owner_id
        try:
            operations.update_lease(lease, by=_user(), unit=unit, **fields)
        except (LeaseError, RentSplitError) as refused:
            db.session.rollback()
            error = message(refused)
            lease = live_lease(lease_id)
        else:
            db.session.commit()
            flash(_("Lease saved."), "success")
            return redirect(url_for("leases.detail", lease_id=lease.id))
    status = INVALID if form.is_submitted() else 200
    return render_template("leases/form.html", form=form, commune=lease.commune, lease=lease, error=error), status


def _months(lease, account):
    return [(s.year, s.month) for s in account.statements] if account else []


@policy(lease_viewer)
def detail(lease_id: int):
    lease = live_lease(lease_id)
    user = _user()
    whole = sees_whole(user, lease)
    mine = own_tenancies(user, lease)
    account, split_error = None, None
    if lease.tenants:
        try:
            account = lease_account(lease, local_today())
        except RentSplitError as error:
            split_error = message(error)
    tenants = [t for t in lease.tenants if whole or t.id in mine]
    return render_template(
        "leases/detail.html",
        lease=lease,
        tenants=tenants,
        account=account,
        split_error=split_error,
        whole=whole,
        staff=is_staff(user, lease),
        terminate_form=TerminateForm(data={"terminated_on": local_today()}),
        today=local_today(),
        proposals=queries.proposals_of_tenants([t.id for t in tenants]),
        rotations=schedule_queries.rotations_of_lease(lease.id),
    )


def _lifecycle(lease_id: int, action: str):
    lease = live_lease(lease_id)
    done = {
        "sign": _("Lease signed."),
        "start": _("Lease started: the unit is now a pop-up shop."),
        "end": _("Lease ended: the unit is free again."),
    }
    try:
        if action == "sign":
            operations.sign(lease, by=_user())
        elif action == "start":
            operations.start(lease, by=_user(), today=local_today())
        else:
            operations.end(lease, by=_user(), today=local_today())
    except (LeaseError, RentSplitError) as refused:
        return _refused(refused, lease_id)
    db.session.commit()
    flash(done[action], "success")
    return redirect(url_for("leases.detail", lease_id=lease_id))


@policy(lease_staff)
def sign(lease_id: int):
    return _lifecycle(lease_id, "sign")


@policy(lease_staff)
def start(lease_id: int):
    return _lifecycle(lease_id, "start")


@policy(lease_staff)
def end(lease_id: int):
    return _lifecycle(lease_id, "end")


@policy(lease_staff)
def terminate(lease_id: int):
    lease = live_lease(lease_id)
    form = TerminateForm(data={"terminated_on": local_today()})
    error = None
    if form.validate_on_submit():
        try:
            operations.terminate(
                lease, by=_user(), on=form.terminated_on.data, reason=form.reason.data, today=local_today()
            )
        except LeaseError as refused:
            db.session.rollback()
            error = message(refused)
            lease = live_lease(lease_id)
        else:
            db.session.commit()
            flash(_("Lease terminated early."), "success")
            return redirect(url_for("leases.detail", lease_id=lease_id))
    status = INVALID if form.is_submitted() else 200
    return render_template("leases/terminate.html", lease=lease, form=form, error=error), status


# -- co-tenants ------------------------------------------------------------------------


def _tenant_of(lease, tenant_id: int) -> LeaseTenant:
    tenant = db.session.get(LeaseTenant, tenant_id)
    if tenant is None or tenant.lease_id != lease.id:
        abort(404)
    return tenant


def _tenant_form(lease, **kwargs) -> TenantForm:
    return TenantForm(entrepreneurs=queries.users_with_role("entrepreneur"), stands=queries.stands_for(lease), **kwargs)


def _save_tenant(lease_id: int, tenant_id: int | None):
    lease = live_lease(lease_id)
    tenant = _tenant_of(lease, tenant_id) if tenant_id is not None else None
    if lease.is_closed:
        flash(message(LeaseError("closed")), "warning")
        return redirect(url_for("leases.detail", lease_id=lease.id))
    data = tenant_data(tenant) if tenant else {"entry_on": lease.starts_on}
    form = _tenant_form(lease, data=data)
    error = None
    if form.validate_on_submit():
        entrepreneur = db.session.get(type(_user()), form.entrepreneur.data)
        try:
            if tenant is None:
                operations.add_tenant(lease, by=_user(), entrepreneur=entrepreneur, **form.tenant_fields())
            else:
                operations.update_tenant(tenant, by=_user(), entrepreneur=entrepreneur, **form.tenant_fields())
        except (LeaseError, RentSplitError) as refused:
            db.session.rollback()
            error = message(refused)
            lease = live_lease(lease_id)
            tenant = _tenant_of(lease, tenant_id) if tenant_id is not None else None
        else:
            db.session.commit()
            flash(_("Co-tenant saved: %(name)s.", name=entrepreneur.name), "success")
            return redirect(url_for("leases.detail", lease_id=lease.id))
    status = INVALID if form.is_submitted() else 200
    return render_template("leases/tenant_form.html", lease=lease, tenant=tenant, form=form, error=error), status


@policy(lease_staff)
def tenant_new(lease_id: int):
    return _save_tenant(lease_id, None)


@policy(lease_staff)
def tenant_edit(lease_id: int, tenant_id: int):
    return _save_tenant(lease_id, tenant_id)


@policy(lease_staff)
def tenant_remove(lease_id: int, tenant_id: int):
    lease = live_lease(lease_id)
    tenant = _tenant_of(lease, tenant_id)
    name = tenant.entrepreneur.name
    try:
        operations.remove_tenant(tenant, by=_user())
    except (LeaseError, RentSplitError) as refused:
        return _refused(refused, lease_id)
    db.session.commit()
    flash(_("Co-tenant removed: %(name)s.", name=name), "success")
    return redirect(url_for("leases.detail", lease_id=lease_id))


@policy(lease_staff)
def graduation(lease_id: int, tenant_id: int):
    lease = live_lease(lease_id)
    tenant = _tenant_of(lease, tenant_id)
    units = queries.commune_units(lease.commune_id)
    form = GraduationForm(units=units, data={"on": tenant.exit_on or local_today(), "unit": None})
    error = None
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit.data) if form.unit.data else None
        try:
            operations.record_graduation(
                tenant, by=_user(), outcome=form.outcome.data, on=form.on.data, unit=unit, address=form.address.data
            )
        except (LeaseError, RentSplitError) as refused:
            db.session.rollback()
            error = message(refused)
            lease = live_lease(lease_id)
            tenant = _tenant_of(lease, tenant_id)
        else:
            db.session.commit()
            flash(_("Outcome of the test period recorded for %(name)s.", name=tenant.entrepreneur.name), "success")
            return redirect(url_for("leases.detail", lease_id=lease_id))
    status = INVALID if form.is_submitted() else 200
    return render_template("leases/graduation.html", lease=lease, tenant=tenant, form=form, error=error), status


# -- statements and documents ------------------------------------------------------------


def _print(template: str, lease, **context):
    """A printable document in the lease's language."""
    with force_locale(lease.language):
        return render_template(template, lease=lease, document_language=lease.language, **context)


@policy(lease_statement_reader)
def statement(lease_id: int, year: int, month: int):
    lease = live_lease(lease_id)
    if not 1 <= month <= 12:
        abort(404)
    user = _user()
    whole = sees_whole(user, lease)
    mine = readable_tenancies(user, lease)  # a coach reads the lines of the co-tenants they coach
    try:
        account = lease_account(lease, local_today())
        found = account.statement(year, month)
    except RentSplitError as error:
        flash(message(error), "danger")
        return redirect(url_for("leases.detail", lease_id=lease_id))
    except KeyError:
        abort(404)
    tenants = {t.id: t for t in lease.tenants}
    lines = [line for line in found.tenants if whole or line.tenant_id in mine]
    return _print(
        "leases/statement.html",
        lease,
        statement=found,
        lines=lines,
        tenants=tenants,
        whole=whole,
        commune_paid=account.commune_paid_by_month.get((year, month), 0),
    )


@policy(lease_viewer)
def document(lease_id: int):
    lease = live_lease(lease_id)
    return _print("leases/document.html", lease, tenants=lease.tenants, stands=queries.stands_for(lease))


# -- payments --------------------------------------------------------------------------


@policy(lease_viewer)
def payments(lease_id: int):
    lease = live_lease(lease_id)
    user = _user()
    whole = sees_whole(user, lease)
    mine = own_tenancies(user, lease)
    entries = queries.ledger(lease, None if whole else mine)
    account = None
    try:
        account = lease_account(lease, local_today()) if lease.tenants else None
    except RentSplitError:
        account = None
    return render_template(
        "leases/payments.html",
        lease=lease,
        entries=entries,
        reversed_ids=queries.reversed_ids(lease),
        whole=whole,
        account=account,
        tenants=[t for t in lease.tenants if whole or t.id in mine],
        reverse_form=ReverseForm(),
    )


@policy(lease_manager)
def payment_new(lease_id: int):
    lease = live_lease(lease_id)
    form = PaymentForm(tenants=lease.tenants, commune_name=lease.commune.name, data={"paid_on": local_today()})
    error = None
    if form.validate_on_submit():
        tenant = None if form.payer_id.data == COMMUNE else _tenant_of(lease, form.payer_id.data)
        try:
            operations.record_payment(
                lease,
                by=_user(),
                tenant=tenant,
                amount_cents=form.amount_cents,
                paid_on=form.paid_on.data,
                today=local_today(),
                payer=form.payer.data or "",
                method=form.method.data,
                reference=form.reference.data or "",
            )
        except LeaseError as refused:
            db.session.rollback()
            error = message(refused)
            lease = live_lease(lease_id)
        else:
            db.session.commit()
            flash(_("Payment recorded."), "success")
            return redirect(url_for("leases.payments", lease_id=lease_id))
    status = INVALID if form.is_submitted() else 200
    return render_template("leases/payment_form.html", lease=lease, form=form, error=error), status


@policy(lease_manager)
def payment_reverse(lease_id: int, payment_id: int):
    lease = live_lease(lease_id)
    payment = db.session.get(LeasePayment, payment_id)
    if payment is None or payment.lease_id != lease.id:
        abort(404)
    form = ReverseForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in form.reason.errors) or _("Give the reason of the reversal."), "danger")
        return redirect(url_for("leases.payments", lease_id=lease_id))
    try:
        operations.reverse_payment(payment, by=_user(), reason=form.reason.data, today=local_today())
        db.session.commit()
    except LeaseError as refused:
        db.session.rollback()
        flash(message(refused), "danger")
        return redirect(url_for("leases.payments", lease_id=lease_id))
    except IntegrityError:  # someone reversed it at the same moment: the database kept one reversal
        db.session.rollback()
        flash(message(LeaseError("already_reversed")), "danger")
        return redirect(url_for("leases.payments", lease_id=lease_id))
    flash(_("Entry reversed."), "success")
    return redirect(url_for("leases.payments", lease_id=lease_id))


@policy(lease_manager)
def ledger_export(lease_id: int):
    lease = live_lease(lease_id)
    language = str(get_locale() or "fr")[:2]
    header = [
        _("Ledger entry"),
        _("Paid on"),
        _("Recorded on"),
        _("Paid by"),
        _("Name on the payment"),
        _("Amount (euros)"),
        _("Method"),
        _("Reference"),
        _("Reverses entry"),
        _("Reason"),
    ]
    rows = [
        [
            entry.id,
            entry.paid_on.isoformat(),
            entry.created_at.date().isoformat(),
            entry.tenant.entrepreneur.name if entry.tenant else lease.commune.name,
            entry.payer,
            entry.amount_cents,
            payment_method_label(entry.method),
            entry.reference,
            entry.reverses_id or "",
            entry.reason,
        ]
        for entry in queries.ledger(lease)
    ]
    body = ledger_csv(header, rows, language=language, money_columns={5})
    filename = f"lease-{lease.id}-ledger-{date.today().isoformat()}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Content-Type": "text/csv; charset=utf-8",
        },
    )
