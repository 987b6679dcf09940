from __future__ import annotations

from datetime import date, timedelta

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from popup import geo
from popup.auth.models import User
from popup.domain import ics
from popup.domain import rotation as planner
from popup.domain.bookings import month_weeks, parse_month, parse_week, shift_month
from popup.extensions import db
from popup.leases.labels import lease_status_label
from popup.offers.models import Offer
from popup.permissions import any_staff, policy, public
from popup.schedules import messages, operations, planning, queries
from popup.schedules.forms import (
    BookingForm,
    CandidateForm,
    RotationForm,
    RotationLeaseForm,
    SwapForm,
    SwapRequestForm,
)
from popup.schedules.models import Booking
from popup.schedules.policies import (
    booking_of,
    entrepreneur,
    get,
    holder_of_booking,
    rotation_or_404,
    staff_of_offer,
    staff_of_rotation,
    swap_of,
)
from popup.units.queries import local_today

INVALID = 422
CONFLICT = 409
OVERLAP_FAULTS = frozenset({"stand_taken", "tenant_elsewhere"})


def _user():
    return current_user._get_current_object()


def _time_limit() -> float:
    return float(current_app.config.get("ROTATION_TIME_LIMIT_S", 10.0))


# -- rotations -----------------------------------------------------------------------


@policy(any_staff)
def index():
    user = _user()
    return render_template(
        "schedules/index.html", rotations=queries.rotations_for(user), offers=queries.offers_to_plan(user)
    )


@policy(staff_of_offer)
def create(offer_id: int):
    offer = get(Offer, offer_id)
    data = {
        "title": offer.title,
        "starts_on": max(offer.available_from, local_today()),
        "grain": "week",
        "opening_days": list(offer.opening_days or [2, 4, 5]),
    }
    default = queries.default_lease(offer)
    data["lease"] = default.id if default is not None else None
    form = RotationForm(data=data, leases=_lease_choices(offer))
    if form.validate_on_submit():
        try:
            rotation = operations.create_rotation(offer, by=_user(), **form.fields())
        except operations.Refused:
            db.session.rollback()
            form.lease.errors.append(_("Choose a lease of this shop's unit from the list."))
            return render_template("schedules/form.html", form=form, offer=offer), INVALID
        db.session.commit()
        flash(_("Rotation created: add its candidates, then run the planner."), "success")
        return redirect(url_for("schedules.detail", rotation_id=rotation.id))
    status = INVALID if form.is_submitted() else 200
    return render_template("schedules/form.html", form=form, offer=offer), status


def _lease_choices(offer):
    return [
        (
            lease.id,
            _(
                "Lease %(id)s, %(start)s to %(last)s (%(status)s)",
                id=lease.id,
                start=format_date(lease.starts_on),
                last=format_date(lease.ends_on - timedelta(days=1)),
                status=lease_status_label(lease.status),
            ),
        )
        for lease in queries.leases_of_unit(offer.unit_id)
    ]


@policy(staff_of_rotation)
def set_lease(rotation_id: int):
    rotation = rotation_or_404(rotation_id)
    form = RotationLeaseForm(leases=_lease_choices(rotation.offer))
    if not form.validate_on_submit():
        return _detail(rotation, INVALID, lease_form=form)
    try:
        operations.set_lease(rotation, form.lease.data)
    except operations.Refused:
        db.session.rollback()
        form.lease.errors.append(_("Choose a lease of this shop's unit from the list."))
        return _detail(rotation_or_404(rotation_id), INVALID, lease_form=form)
    db.session.commit()
    flash(
        _("The rotation's lease is saved.") if form.lease.data else _("The rotation belongs to no lease now."),
        "success",
    )
    return redirect(url_for("schedules.detail", rotation_id=rotation.id))


def _stand_choices(rotation):
    return [(s.id, f"{s.label} ({s.area_m2:g} m²)") for s in rotation.offer.stands]


def _booking_choices(rotation):
    return [
        (
            b.id,
            _(
                "%(stand)s, %(name)s, %(start)s to %(last)s",
                stand=b.stand.label,
                name=b.entrepreneur.name,
                start=format_date(b.starts_on),
                last=format_date(b.ends_on - timedelta(days=1)),
            ),
        )
        for b in queries.bookings_of_rotation(rotation)
    ]


def _forms(rotation, **given):
    candidates = [(c.id, c.entrepreneur.name) for c in rotation.candidates]
    forms = {
        "candidate_form": CandidateForm(
            entrepreneurs=queries.entrepreneur_choices(rotation.offer),
            data={"priority": 0, "min_grains": 1, "max_grains": 4},
            formdata=None,
        ),
        "booking_form": BookingForm(candidates=candidates, stands=_stand_choices(rotation), formdata=None),
        "swap_form": SwapForm(bookings=_booking_choices(rotation), formdata=None),
        "lease_form": RotationLeaseForm(
            leases=_lease_choices(rotation.offer), data={"lease": rotation.lease_id}, formdata=None
        ),
    }
    forms.update(given)
    return forms


def _detail(rotation, status=200, errors=(), **given):
    feed = queries.existing_feed(rotation=rotation)
    return render_template(
        "schedules/detail.html",
        rotation=rotation,
        bookings=queries.bookings_of_rotation(rotation),
        waitlist=operations.waitlist(rotation),
        applicants=queries.applicant_ids(rotation.offer),
        swaps=queries.swap_requests(rotation),
        feed_url=url_for("schedules.feed", token=feed.token, _external=True) if feed else None,
        errors=list(errors),
        **_forms(rotation, **given),
    ), status


@policy(staff_of_rotation)
def detail(rotation_id: int):
    return _detail(rotation_or_404(rotation_id))


@policy(staff_of_rotation)
def add_candidate(rotation_id: int):
    rotation = rotation_or_404(rotation_id)
    form = CandidateForm(entrepreneurs=queries.entrepreneur_choices(rotation.offer))
    if not form.validate_on_submit():
        return _detail(rotation, INVALID, candidate_form=form)
    entrepreneur = db.session.get(User, form.entrepreneur.data)
    try:
        operations.add_candidate(rotation, entrepreneur, **form.fields())
    except operations.Refused:
        form.entrepreneur.errors.append(_("%(name)s is already a candidate of this rotation.", name=entrepreneur.name))
        return _detail(rotation, INVALID, candidate_form=form)
    db.session.commit()
    flash(_("%(name)s added to the candidates.", name=entrepreneur.name), "success")
    return redirect(url_for("schedules.detail", rotation_id=rotation.id, _anchor="candidates"))


@policy(staff_of_rotation)
def remove_candidate(rotation_id: int, candidate_id: int):
    rotation = rotation_or_404(rotation_id)
    candidate = next((c for c in rotation.candidates if c.id == candidate_id), None)
    if candidate is None:
        return _detail(rotation, 404, errors=[_("This candidate is no longer in the rotation.")])
    name = candidate.entrepreneur.name
    operations.remove_candidate(candidate)
    db.session.commit()
    flash(_("%(name)s is no longer a candidate (their bookings stay).", name=name), "success")
    return redirect(url_for("schedules.detail", rotation_id=rotation.id, _anchor="candidates"))


def _names(rotation) -> dict:
    return {c.id: c.entrepreneur.name for c in rotation.candidates}


@policy(staff_of_rotation)
def plan(rotation_id: int):
    rotation = rotation_or_404(rotation_id)
    names = _names(rotation)
    if not rotation.candidates:
        return _detail(rotation, INVALID, errors=[_("Add candidates before running the planner.")])
    try:
        result = planning.run(rotation, time_limit_s=_time_limit(), num_workers=8)
    except planner.RotationError as error:
        return _detail(rotation, INVALID, errors=[messages.rotation_error_message(error, names)])
    stands = {s.id: s for s in rotation.offer.stands}
    return render_template(
        "schedules/plan.html",
        rotation=rotation,
        result=result,
        feasible=isinstance(result, planner.Plan),
        names=names,
        stands=stands,
        reason_message=lambda reason: messages.reason_message(reason, names),
    )


def _refusal(rotation, refused: operations.BookingRefused, **given):
    status = CONFLICT if any(f.code in OVERLAP_FAULTS for f in refused.faults) else INVALID
    errors = [messages.fault_message(f, refused.who) for f in refused.faults]
    db.session.rollback()
    return _detail(rotation, status, errors=[*errors, _("Nothing was saved.")], **given)


def _conflict(rotation, conflict: geo.BookingConflict):
    db.session.rollback()
    return _detail(rotation, CONFLICT, errors=[messages.conflict_message(conflict.kind)])


def _parse_planned(values) -> list[operations.PlannedBooking] | None:
    planned = []
    for value in values:
        parts = value.split(":")
        if len(parts) != 4 or not (parts[0].isdigit() and parts[1].isdigit()) or len(parts[0]) > 9 or len(parts[1]) > 9:
            return None
        try:
            start, end = date.fromisoformat(parts[2]), date.fromisoformat(parts[3])
        except ValueError:
            return None
        planned.append(operations.PlannedBooking(int(parts[0]), int(parts[1]), start, end))
    return planned


@policy(staff_of_rotation)
def accept(rotation_id: int):
    rotation = rotation_or_404(rotation_id)
    planned = _parse_planned(request.form.getlist("booking"))
    if not planned:
        return _detail(rotation, INVALID, errors=[_("The plan could not be read. Run the planner again.")])
    try:
        made = operations.accept_plan(rotation, planned, by=_user())
    except operations.Refused:
        db.session.rollback()
        return _detail(rotation, INVALID, errors=[_("The plan could not be read. Run the planner again.")])
    except operations.BookingRefused as refused:
        return _refusal(rotation, refused)
    except geo.BookingConflict as conflict:
        return _conflict(rotation, conflict)
    db.session.commit()
    flash(_("Plan accepted: %(count)d bookings made.", count=len(made)), "success")
    return redirect(url_for("schedules.detail", rotation_id=rotation.id, _anchor="bookings"))


@policy(staff_of_rotation)
def add_booking(rotation_id: int):
    rotation = rotation_or_404(rotation_id)
    candidates = [(c.id, c.entrepreneur.name) for c in rotation.candidates]
    form = BookingForm(candidates=candidates, stands=_stand_choices(rotation))
    if not form.validate_on_submit():
        return _detail(rotation, INVALID, booking_form=form)
    candidate = next(c for c in rotation.candidates if c.id == form.candidate.data)
    try:
        operations.book(rotation, candidate, form.stand.data, form.starts_on.data, form.ends_on.data, by=_user())
    except operations.BookingRefused as refused:
        return _refusal(rotation, refused, booking_form=form)
    except geo.BookingConflict as conflict:
        return _conflict(rotation, conflict)
    db.session.commit()
    flash(_("Booking made for %(name)s.", name=candidate.entrepreneur.name), "success")
    return redirect(url_for("schedules.detail", rotation_id=rotation.id, _anchor="bookings"))


@policy(staff_of_rotation)
def edit_booking(rotation_id: int, booking_id: int):
    rotation = rotation_or_404(rotation_id)
    booking = booking_of(rotation, booking_id)
    form = BookingForm(
        stands=_stand_choices(rotation),
        data={"stand": booking.stand_id, "starts_on": booking.starts_on, "ends_on": booking.ends_on},
    )
    errors: list[str] = []
    status = 200
    if form.validate_on_submit():
        try:
            operations.move_booking(booking, form.stand.data, form.starts_on.data, form.ends_on.data, by=_user())
            db.session.commit()
            flash(_("Booking of %(name)s changed.", name=booking.entrepreneur.name), "success")
            return redirect(url_for("schedules.detail", rotation_id=rotation.id, _anchor="bookings"))
        except operations.Refused:
            errors, status = [_("This entrepreneur is no longer a candidate: their rules are unknown.")], INVALID
        except operations.BookingRefused as refused:
            errors = [messages.fault_message(f) for f in refused.faults]
            status = CONFLICT if any(f.code in OVERLAP_FAULTS for f in refused.faults) else INVALID
        except geo.BookingConflict as conflict:
            errors, status = [messages.conflict_message(conflict.kind)], CONFLICT
        db.session.rollback()
        booking = booking_of(rotation_or_404(rotation_id), booking_id)
    elif form.is_submitted():
        status = INVALID
    return render_template(
        "schedules/edit_booking.html", rotation=booking.rotation, booking=booking, form=form, errors=errors
    ), status


@policy(staff_of_rotation)
def free_booking(rotation_id: int, booking_id: int):
    rotation = rotation_or_404(rotation_id)
    booking = booking_of(rotation, booking_id)
    name = booking.entrepreneur.name
    fill = request.form.get("fill") == "1"
    try:
        filled = operations.free_booking(booking, fill=fill, by=_user())
    except geo.BookingConflict as conflict:
        return _conflict(rotation, conflict)
    db.session.commit()
    flash(_("Booking of %(name)s freed.", name=name), "success")
    if fill:
        if filled is not None:
            flash(_("The slot went to %(name)s from the waitlist.", name=filled.entrepreneur.name), "success")
        else:
            flash(_("Nobody on the waitlist fits the freed slot: it stays free."), "info")
    return redirect(url_for("schedules.detail", rotation_id=rotation.id, _anchor="bookings"))


def _swap(rotation, first, second):
    try:
        operations.swap_bookings(first, second, by=_user())
    except operations.Refused:
        db.session.rollback()
        return _detail(rotation, INVALID, errors=[_("Choose two bookings of two different entrepreneurs.")])
    except operations.BookingRefused as refused:
        return _refusal(rotation, refused)
    except geo.BookingConflict as conflict:
        return _conflict(rotation, conflict)
    return None


@policy(staff_of_rotation)
def swap(rotation_id: int):
    rotation = rotation_or_404(rotation_id)
    form = SwapForm(bookings=_booking_choices(rotation))
    if not form.validate_on_submit():
        return _detail(rotation, INVALID, swap_form=form)
    refused = _swap(rotation, booking_of(rotation, form.first.data), booking_of(rotation, form.second.data))
    if refused is not None:
        return refused
    db.session.commit()
    flash(_("The two entrepreneurs swapped their bookings."), "success")
    return redirect(url_for("schedules.detail", rotation_id=rotation.id, _anchor="bookings"))


@policy(staff_of_rotation)
def decide_swap(rotation_id: int, swap_id: int):
    rotation = rotation_or_404(rotation_id)
    swap_request = swap_of(rotation, swap_id)
    decision = request.form.get("decision")
    if decision not in ("approve", "refuse"):
        return _detail(rotation, INVALID, errors=[_("Choose to approve or to refuse the swap.")])
    try:
        operations.decide_swap(swap_request, approve=decision == "approve", by=_user())
    except operations.Refused as refused:
        db.session.rollback()
        text = {
            "already_decided": _("This request was already decided."),
            "booking_gone": _("One of the two bookings no longer exists: the swap cannot be made."),
        }.get(refused.reason, _("Choose two bookings of two different entrepreneurs."))
        return _detail(rotation, INVALID, errors=[text])
    except operations.BookingRefused as refused:
        return _refusal(rotation, refused)
    except geo.BookingConflict as conflict:
        return _conflict(rotation, conflict)
    db.session.commit()
    flash(_("Swap approved: the bookings are exchanged.") if decision == "approve" else _("Swap refused."), "success")
    return redirect(url_for("schedules.detail", rotation_id=rotation.id, _anchor="swaps"))


@policy(staff_of_rotation)
def reset_rotation_feed(rotation_id: int):
    rotation = rotation_or_404(rotation_id)
    feed = queries.existing_feed(rotation=rotation)
    if feed is None:
        operations.feed_of(rotation=rotation)
        flash(_("Calendar address created. Keep it secret: anyone with it sees the bookings."), "success")
    else:
        operations.reset_feed(feed)
        flash(_("New calendar address made: the old one no longer works."), "success")
    db.session.commit()
    return redirect(url_for("schedules.detail", rotation_id=rotation.id, _anchor="feed"))


# -- calendars -----------------------------------------------------------------------


class BadCalendarParameter(ValueError):
    pass


def _period():
    """The view (month or week) and its first day and end from the query; message when unreadable."""
    today = local_today()
    view = request.args.get("view", "month")
    error = None
    if view not in ("month", "week"):
        view, error = "month", _("Unknown view: choose month or week. Showing this month.")
    if view == "month":
        try:
            first = parse_month(request.args.get("month"), today)
        except ValueError:
            first, error = (
                today.replace(day=1),
                _("The month must read like 2026-05 (year, then month from 01 to 12). Showing this month."),
            )
        return view, first, shift_month(first, 1), error
    try:
        monday = parse_week(request.args.get("week"), today)
    except ValueError:
        monday, error = (
            parse_week(None, today),
            _("The week must be given by one of its days, such as 2026-05-04. Showing this week."),
        )
    return view, monday, monday + timedelta(days=7), error


def _calendar(bookings, view, first, end, label):
    """Days of the period with what happens on each: weeks of (day, entries)."""
    by_day: dict[date, list] = {}
    for b in bookings:
        day = max(b.starts_on, first)
        while day < min(b.ends_on, end):
            by_day.setdefault(day, []).append((label(b), b))
            day += timedelta(days=1)
    weeks = month_weeks(first) if view == "month" else [[first + timedelta(days=i) for i in range(7)]]
    return [[(d, by_day.get(d, []) if d else []) for d in week] for week in weeks]


def _navigation(view, first, endpoint, args):
    """Links to the previous and next period, today and the other view."""
    today = local_today()
    if view == "month":
        steps = {
            "previous": {"view": "month", "month": shift_month(first, -1).strftime("%Y-%m")},
            "next": {"view": "month", "month": shift_month(first, 1).strftime("%Y-%m")},
            # the week of today when it is in this month, else the month's first week
            "other": {"view": "week", "week": (today if first == today.replace(day=1) else first).isoformat()},
        }
    else:
        steps = {
            "previous": {"view": "week", "week": (first - timedelta(days=7)).isoformat()},
            "next": {"view": "week", "week": (first + timedelta(days=7)).isoformat()},
            "other": {"view": "month", "month": first.strftime("%Y-%m")},
        }
    steps["today"] = {"view": view}
    return {name: url_for(endpoint, **args, **query) for name, query in steps.items()}


@policy(staff_of_rotation)
def calendar(rotation_id: int):
    rotation = rotation_or_404(rotation_id)
    view, first, end, error = _period()
    bookings = queries.bookings_of_rotation(rotation, first, end)
    weeks = _calendar(bookings, view, first, end, lambda b: f"{b.stand.label}: {b.entrepreneur.name}")
    return render_template(
        "schedules/calendar.html",
        heading=_("Calendar of %(title)s", title=rotation.title),
        rotation=rotation,
        view=view,
        first=first,
        end=end,
        weeks=weeks,
        nav=_navigation(view, first, "schedules.calendar", {"rotation_id": rotation.id}),
        error=error,
    ), (400 if error else 200)


@policy(entrepreneur)
def my_calendar():
    user = _user()
    view, first, end, error = _period()
    bookings = queries.bookings_of_user(user.id, first, end)
    weeks = _calendar(bookings, view, first, end, lambda b: f"{b.rotation.offer.title}: {b.stand.label}")
    feed = queries.existing_feed(user=user)
    mine = queries.bookings_of_user(user.id)
    swap_forms = {
        b.id: SwapRequestForm(
            bookings=[
                (
                    o.id,
                    _(
                        "%(stand)s, %(start)s to %(last)s",
                        stand=o.stand.label,
                        start=format_date(o.starts_on),
                        last=format_date(o.ends_on - timedelta(days=1)),
                    ),
                )
                for o in queries.bookings_of_rotation(b.rotation)
                if o.entrepreneur_id != user.id
            ],
            formdata=None,
            prefix=f"swap{b.id}",
        )
        for b in mine
        if b.ends_on > local_today()
    }
    return render_template(
        "schedules/my_calendar.html",
        heading=_("My calendar"),
        view=view,
        first=first,
        end=end,
        weeks=weeks,
        nav=_navigation(view, first, "schedules.my_calendar", {}),
        error=error,
        bookings=mine,
        swap_forms=swap_forms,
        requests=queries.swap_requests_of(user),
        feed_url=url_for("schedules.feed", token=feed.token, _external=True) if feed else None,
    ), (400 if error else 200)


@policy(entrepreneur)
def reset_my_feed():
    user = _user()
    feed = queries.existing_feed(user=user)
    if feed is None:
        operations.feed_of(user=user)
        flash(_("Calendar address created. Keep it secret: anyone with it sees your bookings."), "success")
    else:
        operations.reset_feed(feed)
        flash(_("New calendar address made: the old one no longer works."), "success")
    db.session.commit()
    return redirect(url_for("schedules.my_calendar", _anchor="feed"))


@policy(holder_of_booking)
def request_swap(booking_id: int):
    booking = get(Booking, booking_id)
    others = queries.bookings_of_rotation(booking.rotation)
    choices = [(o.id, str(o.id)) for o in others if o.entrepreneur_id != booking.entrepreneur_id]
    form = SwapRequestForm(bookings=choices, prefix=f"swap{booking.id}")
    if not form.validate_on_submit():
        flash(_("Choose the booking you would like to swap with."), "danger")
        return redirect(url_for("schedules.my_calendar", _anchor="swaps"))
    other = next(o for o in others if o.id == form.other.data)
    try:
        operations.request_swap(booking, other, by=_user(), message=form.message.data or "")
    except operations.Refused:
        db.session.rollback()
        flash(_("You already asked to swap this booking: the staff will answer."), "warning")
        return redirect(url_for("schedules.my_calendar", _anchor="swaps"))
    db.session.commit()
    flash(_("Swap requested: the staff will approve or refuse it."), "success")
    return redirect(url_for("schedules.my_calendar", _anchor="swaps"))


# -- iCalendar feeds -----------------------------------------------------------------


@policy(public)
def feed(token: str):
    found = queries.feed_by_token(token)
    if found is None:
        return Response(_("There is no calendar at this address."), status=404, mimetype="text/plain")
    host = current_app.config.get("ICS_UID_DOMAIN") or request.host.split(":")[0]
    if found.user_id is not None:
        user = db.session.get(User, found.user_id)
        bookings = queries.bookings_of_user(user.id)
        name = _("Pop-up bookings of %(name)s", name=user.name)
        events = [
            ics.Event(
                uid=f"booking-{b.id}@{host}",
                start=b.starts_on,
                end=b.ends_on,
                summary=_("Pop-up shop %(title)s, %(stand)s", title=b.rotation.offer.title, stand=b.stand.label),
                stamp=b.created_at,
                location=b.rotation.offer.unit.address,
            )
            for b in bookings
        ]
    else:
        rotation = rotation_or_404(found.rotation_id)
        name = rotation.title
        events = [
            ics.Event(
                uid=f"booking-{b.id}@{host}",
                start=b.starts_on,
                end=b.ends_on,
                summary=f"{b.stand.label}: {b.entrepreneur.name}",
                stamp=b.created_at,
                location=rotation.offer.unit.address,
            )
            for b in queries.bookings_of_rotation(rotation)
        ]
    response = Response(ics.feed(name, events), mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


# -- template helpers ----------------------------------------------------------------


def last_day(end: date) -> date:
    """The last day of a period whose stored end is exclusive."""
    return end - timedelta(days=1)


def grains(count: int, grain: str) -> str:
    return messages.grains(count, grain)
