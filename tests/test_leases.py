"""Shared pop-up leases: creating them by hand or from an offer, co-tenants, the lease's life, statements,
payments and reversals, documents, graduation, and who may see or do what."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from shapely.geometry import MultiPolygon, Polygon

from popup import geo
from popup.leases import operations
from popup.leases.messages import LeaseError
from popup.leases.models import Lease, LeasePayment, LeaseTenant
from popup.offers.models import Offer, Stand
from popup.units.models import UnitStatusChange
from popup.units.queries import local_today
from tests.conftest import page_text

TODAY = local_today()
FIRST = TODAY.replace(day=1)


def month_start(offset: int) -> date:
    index = FIRST.year * 12 + FIRST.month - 1 + offset
    return date(index // 12, index % 12 + 1, 1)


START, END = month_start(-2), month_start(4)  # two months over, the current one, three to come


def main_of(response) -> str:
    return page_text(response).split("<main", 1)[1].split("</main>", 1)[0]


@pytest.fixture
def ath(make_commune):
    return make_commune(
        name="Ath",
        slug="ath",
        centre=geo.point(3.7786, 50.6298),
        boundary=geo.from_geometry(
            MultiPolygon([Polygon([(3.70, 50.58), (3.86, 50.58), (3.86, 50.68), (3.70, 50.68)])])
        ),
    )


@pytest.fixture
def people(make_user, commune, ath):
    class People:
        staff = make_user(role="staff", communes=[commune])
        ath_staff = make_user(role="staff", communes=[ath])
        owner = make_user(role="owner", name="Jean-Pierre Lemaire")
        other_owner = make_user(role="owner")
        julie = make_user(role="entrepreneur", name="Julie Carlier")
        mehdi = make_user(role="entrepreneur", name="Mehdi Bouazza")
        stranger = make_user(role="entrepreneur", name="Nathan Claes")
        admin = make_user(role="admin")

    return People


@pytest.fixture
def unit(make_unit, people):
    return make_unit(address="Grand-Place 9, 7860 Lessines", owner=people.owner, floor_area_m2=72)


@pytest.fixture
def make_lease(db, unit, people):
    def make(tenants=(("julie", 30, None, None, True), ("mehdi", 20, None, None, False)), status="draft", **kw):
        kw.setdefault("starts_on", START)
        kw.setdefault("ends_on", END)
        kw.setdefault("rent_cents", 90_000)
        kw.setdefault("charges_cents", 15_000)
        kw.setdefault("rent_method", "area")
        kw.setdefault("subsidy_percent", 50)
        lease = operations.create_lease(unit=kw.pop("unit", unit), by=people.staff, **kw)
        for name, area, entry, exit_on, subsidised in tenants:
            operations.add_tenant(
                lease,
                by=people.staff,
                entrepreneur=getattr(people, name),
                area_m2=area,
                entry_on=entry or lease.starts_on,
                exit_on=exit_on,
                subsidised=subsidised,
            )
        if status in ("signed", "running"):
            operations.sign(lease, by=people.staff)
        if status == "running":
            operations.start(lease, by=people.staff, today=TODAY)
        db.session.flush()
        return lease

    return make


def login(auth, user):
    auth.logout()
    assert auth.login(user.email).status_code == 302


def lease_count(db) -> int:
    return db.session.query(Lease).count()


# -- creating a lease by hand ----------------------------------------------------------------------


def lease_form(the_unit, **overrides):
    data = {
        "unit": str(the_unit.id),
        "owner": "",
        "starts_on": START.isoformat(),
        "ends_on": END.isoformat(),
        "rent": "1.200,50",
        "charges": "150",
        "deposit": "",
        "rent_method": "area_days",
        "rent_remainder_method": "equal",
        "charges_method": "equal",
        "charges_remainder_method": "equal",
        "subsidy_percent": "40",
        "rent_steps": "0:70, 2:100",
        "language": "fr",
    }
    data.update(overrides)
    return data


def test_staff_create_a_lease_by_hand_in_euros(client, auth, db, people, unit):
    login(auth, people.staff)
    assert client.get("/c/lessines/leases/new").status_code == 200
    response = client.post("/c/lessines/leases/new", data=lease_form(unit))
    assert response.status_code == 302
    lease = db.session.scalars(db.select(Lease)).one()
    assert (lease.rent_cents, lease.charges_cents, lease.deposit_cents) == (120_050, 15_000, 0)
    assert (lease.status, lease.owner_id, lease.rent_method, lease.subsidy_percent) == (
        "draft",
        people.owner.id,
        "area_days",
        40,
    )
    assert lease.rent_steps == [[0, 70], [2, 100]]
    assert response.headers["Location"].endswith(f"/leases/{lease.id}")
    page = main_of(client.get(f"/leases/{lease.id}"))
    assert "Grand-Place 9" in page and "1 200,50" in page.replace("\u202f", " ")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_on": START.isoformat()}, "The end must come after the first day."),
        ({"rent": "-5"}, "The rent cannot be negative."),
        ({"rent": "douze"}, "Give an amount in euros"),
        ({"starts_on": "2026-02-30"}, "Give a date such as"),
        ({"unit": "999999"}, "Choose a unit of this commune from the list."),
        ({"unit": "abc"}, "Choose a unit of this commune from the list."),
        ({"rent_steps": "0:70, 0:80"}, "The steps' months must go up"),
        ({"rent_steps": "0:170"}, "between 0 and 100"),
        ({"subsidy_percent": "120"}, "Give a whole percentage from 0 to 100."),
        ({"rent_method": "by_magic"}, "Not a valid choice"),
    ],
)
def test_bad_lease_input_is_refused_and_nothing_saved(client, auth, db, people, unit, overrides, message):
    login(auth, people.staff)
    client.post("/language", data={"lang": "en"})
    response = client.post("/c/lessines/leases/new", data=lease_form(unit, **overrides))
    assert response.status_code == 422
    assert message in page_text(response)
    assert "aria-invalid" in response.text
    assert lease_count(db) == 0


def test_a_unit_of_another_commune_cannot_be_chosen(client, auth, db, people, make_unit, ath):
    elsewhere = make_unit(commune=ath, address="Grand-Place 1, 7800 Ath")
    login(auth, people.staff)
    response = client.post("/c/lessines/leases/new", data=lease_form(elsewhere))
    assert response.status_code == 422
    assert lease_count(db) == 0


# -- co-tenants ----------------------------------------------------------------------------------------


def tenant_form(person, **overrides):
    data = {
        "entrepreneur": str(person.id),
        "stand": "",
        "area_m2": "12,5",
        "entry_on": START.isoformat(),
        "exit_on": "",
    }
    data.update(overrides)
    return data


def test_staff_add_edit_and_remove_co_tenants(client, auth, db, people, make_lease):
    lease = make_lease(tenants=())
    login(auth, people.staff)
    assert client.get(f"/leases/{lease.id}/tenants/new").status_code == 200
    assert (
        client.post(f"/leases/{lease.id}/tenants/new", data=tenant_form(people.julie, subsidised="y")).status_code
        == 302
    )
    later = (START + timedelta(days=20)).isoformat()
    assert (
        client.post(f"/leases/{lease.id}/tenants/new", data=tenant_form(people.mehdi, entry_on=later)).status_code
        == 302
    )
    db.session.expire_all()
    julie, mehdi = sorted(lease.tenants, key=lambda t: t.id)
    assert (julie.area_m2, julie.subsidised, julie.exit_on) == (12.5, True, None)
    assert mehdi.entry_on == START + timedelta(days=20)
    exit_on = (START + timedelta(days=40)).isoformat()
    response = client.post(
        f"/leases/{lease.id}/tenants/{mehdi.id}/edit", data=tenant_form(people.mehdi, entry_on=later, exit_on=exit_on)
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert mehdi.exit_on.isoformat() == exit_on
    assert client.post(f"/leases/{lease.id}/tenants/{mehdi.id}/remove").status_code == 302
    db.session.expire_all()
    assert [t.entrepreneur_id for t in lease.tenants] == [people.julie.id]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"entry_on": (START - timedelta(days=1)).isoformat()}, "A co-tenant's dates must lie inside the lease"),
        ({"exit_on": (END + timedelta(days=1)).isoformat()}, "A co-tenant's dates must lie inside the lease"),
        ({"exit_on": START.isoformat()}, "The exit must come after the entry."),
        ({"entry_on": "yesterday"}, "Give a date such as"),
        ({"entrepreneur": "424242"}, "Choose an entrepreneur from the list."),
        ({"area_m2": "-3"}, "Give an area from 0 to"),
        ({"stand": "424242"}, "Choose a stand of this unit from the list."),
        ({"fixed_rent": "-10"}, "A fixed amount cannot be negative."),
    ],
)
def test_bad_co_tenants_are_refused_and_nothing_changes(client, auth, db, people, make_lease, overrides, message):
    lease = make_lease(tenants=(("mehdi", 10, None, None, False),))
    login(auth, people.staff)
    client.post("/language", data={"lang": "en"})
    response = client.post(f"/leases/{lease.id}/tenants/new", data=tenant_form(people.julie, **overrides))
    assert response.status_code == 422
    assert message in page_text(response)
    db.session.expire_all()
    assert db.session.query(LeaseTenant).count() == 1


def test_two_co_tenants_on_one_stand_at_once_are_refused(client, auth, db, people, unit, make_lease):
    offer = Offer(unit=unit, owner_id=unit.owner_id, title="Boutique partagée", available_from=START, rent_cents=90_000)
    offer.stands.append(Stand(label="Vitrine", area_m2=20, position=1))
    db.session.add(offer)
    db.session.flush()
    stand = offer.stands[0]
    lease = make_lease(tenants=(), offer_id=offer.id)
    login(auth, people.staff)
    client.post("/language", data={"lang": "en"})
    ok = client.post(f"/leases/{lease.id}/tenants/new", data=tenant_form(people.julie, stand=str(stand.id), area_m2=""))
    assert ok.status_code == 302
    clash = client.post(f"/leases/{lease.id}/tenants/new", data=tenant_form(people.mehdi, stand=str(stand.id)))
    assert clash.status_code == 422
    assert "Two co-tenants would hold the same stand at once" in page_text(clash)
    db.session.expire_all()
    assert [(t.entrepreneur_id, t.stand_id, t.area_m2) for t in lease.tenants] == [(people.julie.id, stand.id, 20)]


def test_the_same_entrepreneur_twice_at_once_is_refused(db, people, make_lease):
    lease = make_lease(tenants=(("julie", 10, None, None, False),))
    with pytest.raises(LeaseError) as refused:
        operations.add_tenant(lease, by=people.staff, entrepreneur=people.julie, area_m2=5, entry_on=START)
    assert refused.value.code == "entrepreneur_twice"


def test_a_draft_lease_from_an_offer(db, people, unit):
    offer = Offer(
        unit=unit,
        owner_id=people.owner.id,
        title="Boutique partagée",
        available_from=START,
        available_until=END,
        rent_cents=120_000,
        charges_cents=15_000,
        deposit_cents=50_000,
    )
    for n, (label, area) in enumerate([("A", 12.0), ("B", 30.0)], start=1):
        offer.stands.append(Stand(label=label, area_m2=area, position=n))
    db.session.add(offer)
    db.session.flush()
    a, b = offer.stands
    later = START + timedelta(days=10)
    lease = operations.create_draft_lease_from_offer(
        offer, [(people.julie, a, START, None), (people.mehdi, b, later, END - timedelta(days=5))], by=people.staff
    )
    assert (lease.status, lease.offer_id, lease.unit_id, lease.owner_id) == (
        "draft",
        offer.id,
        unit.id,
        people.owner.id,
    )
    assert (lease.starts_on, lease.ends_on) == (START, END)
    assert (lease.rent_cents, lease.charges_cents, lease.deposit_cents) == (120_000, 15_000, 50_000)
    assert [(t.entrepreneur_id, t.stand_id, t.area_m2, t.entry_on) for t in lease.tenants] == [
        (people.julie.id, a.id, 12.0, START),
        (people.mehdi.id, b.id, 30.0, later),
    ]
    with pytest.raises(LeaseError):
        operations.create_draft_lease_from_offer(offer, [], by=people.staff)


def test_a_draft_from_an_offer_refuses_a_stand_twice(db, people, unit):
    from popup.domain.rentsplit import RentSplitError

    offer = Offer(unit=unit, owner_id=people.owner.id, title="T", available_from=START, available_until=END)
    offer.stands.append(Stand(label="A", area_m2=12.0, position=1))
    db.session.add(offer)
    db.session.flush()
    with pytest.raises(RentSplitError) as refused:
        operations.create_draft_lease_from_offer(
            offer,
            [(people.julie, offer.stands[0], START, None), (people.mehdi, offer.stands[0], START, None)],
            people.staff,
        )
    assert refused.value.code == "stand_double_booked"


# -- the lease's life -------------------------------------------------------------------------------------


def unit_history(db, unit):
    db.session.expire_all()
    return [
        (c.from_status, c.to_status)
        for c in db.session.scalars(
            db.select(UnitStatusChange).filter_by(unit_id=unit.id).order_by(UnitStatusChange.id)
        )
    ]


def test_sign_start_and_terminate_move_the_unit_through_its_history(client, auth, db, people, unit, make_lease):
    lease = make_lease()
    login(auth, people.staff)
    assert client.post(f"/leases/{lease.id}/start").status_code == 302  # not signed yet: refused
    db.session.expire_all()
    assert lease.status == "draft"
    client.post(f"/leases/{lease.id}/sign")
    client.post(f"/leases/{lease.id}/start")
    db.session.expire_all()
    assert (lease.status, unit.status) == ("running", "popup")
    assert unit_history(db, unit)[-1] == ("vacant", "popup")
    too_early = client.post(f"/leases/{lease.id}/end", follow_redirects=True)
    assert "terminate it early" in page_text(too_early) or "anticip" in page_text(too_early).lower()
    db.session.expire_all()
    assert lease.status == "running"
    bad = client.post(f"/leases/{lease.id}/terminate", data={"terminated_on": END.isoformat(), "reason": "Faillite"})
    assert bad.status_code == 422  # in the future
    assert (
        client.post(
            f"/leases/{lease.id}/terminate", data={"terminated_on": TODAY.isoformat(), "reason": ""}
        ).status_code
        == 422
    )
    done = client.post(f"/leases/{lease.id}/terminate", data={"terminated_on": TODAY.isoformat(), "reason": "Faillite"})
    assert done.status_code == 302
    db.session.expire_all()
    assert (lease.status, lease.terminated_on, lease.termination_reason, unit.status) == (
        "terminated",
        TODAY,
        "Faillite",
        "vacant",
    )
    assert unit_history(db, unit)[-1] == ("popup", "vacant")


def test_signing_needs_co_tenants_and_a_free_unit(db, people, make_lease):
    empty = make_lease(tenants=())
    with pytest.raises(LeaseError) as refused:
        operations.sign(empty, by=people.staff)
    assert refused.value.code == "no_tenants"
    make_lease(status="signed")
    second = make_lease()
    with pytest.raises(LeaseError) as refused:
        operations.sign(second, by=people.staff)
    assert refused.value.code == "unit_taken"


def test_a_month_without_anyone_blocks_signing(db, people, make_lease):
    from popup.domain.rentsplit import RentSplitError

    lease = make_lease(tenants=(("julie", 10, month_start(1), None, False),))
    with pytest.raises(RentSplitError) as refused:
        operations.sign(lease, by=people.staff)
    assert refused.value.code == "no_tenants"


def test_ending_a_past_lease_frees_the_unit_or_keeps_the_graduate(db, people, unit, make_lease):
    lease = make_lease(starts_on=month_start(-6), ends_on=month_start(-3), status="signed")
    lease.status = "running"
    from popup.units.operations import change_status

    change_status(unit, "popup", by=None)
    julie = lease.tenants[0]
    operations.record_graduation(julie, by=people.staff, outcome="permanent_lease", on=lease.ends_on, unit=unit)
    assert unit.status == "popup"  # still the pop-up until the lease ends
    operations.end(lease, by=people.staff, today=TODAY)
    assert (lease.status, unit.status) == ("ended", "occupied")


# -- statements --------------------------------------------------------------------------------------------


def test_statement_per_co_tenant_and_for_the_owner(client, auth, db, people, make_lease):
    lease = make_lease(status="running")
    login(auth, people.staff)
    page = page_text(client.get(f"/leases/{lease.id}/statements/{START.year}/{START.month}"))
    # Rent 900 € by area 30:20 → 540 and 360; charges 150 € equally → 75 each; Julie is subsidised at 50 %.
    amounts = dict(re.findall(r'data-tenant-id="(\d+)"', page) and [])
    julie, mehdi = lease.tenants
    assert re.search(rf'data-tenant-id="{julie.id}".*?data-line="rent">540,00', page, re.S)
    assert re.search(rf'data-tenant-id="{julie.id}".*?data-line="subsidy">-270,00', page, re.S)
    assert re.search(rf'data-tenant-id="{julie.id}".*?data-line="due">345,00', page, re.S)
    assert re.search(rf'data-tenant-id="{mehdi.id}".*?data-line="due">435,00', page, re.S)
    assert 'data-line="commune">270,00' in page
    assert 'data-line="total">1\u202f050,00' in page or 'data-line="total">1 050,00' in page
    assert amounts == {}
    assert '<html lang="fr">' in page and "css/print.css" in page


def test_statement_of_a_month_outside_the_lease_is_a_404(client, auth, people, make_lease):
    lease = make_lease(status="signed")
    login(auth, people.staff)
    assert client.get(f"/leases/{lease.id}/statements/{END.year}/{END.month}").status_code == 404
    assert client.get(f"/leases/{lease.id}/statements/{START.year}/13").status_code == 404
    assert client.get("/leases/424242/statements/2026/1").status_code == 404


def test_documents_speak_the_leases_language(client, auth, people, make_lease):
    lease = make_lease(status="signed", language="nl")
    login(auth, people.staff)
    page = page_text(client.get(f"/leases/{lease.id}/statements/{START.year}/{START.month}"))
    assert '<html lang="nl">' in page
    from babel.dates import format_date

    assert format_date(START, "MMMM y", locale="nl") in page
    assert format_date(START, "MMMM y", locale="fr") not in page
    document = page_text(client.get(f"/leases/{lease.id}/document"))
    assert '<html lang="nl">' in document and "Julie Carlier" in document and "Mehdi Bouazza" in document


def test_the_commune_sees_the_subsidies_it_owes(client, auth, db, people, make_lease):
    lease = make_lease(status="running")
    login(auth, people.staff)
    page = page_text(client.get("/c/lessines/leases/subsidies"))
    # 270 € a month for Julie's subsidy, 6 months.
    assert re.search(r'data-total="subsidy">1\W620,00', page)
    assert f'data-lease-id="{lease.id}"' in page
    detail = page_text(client.get(f"/leases/{lease.id}"))
    assert "1\u202f620,00" in detail or "1 620,00" in detail


# -- payments ---------------------------------------------------------------------------------------------


def pay(client, lease, payer_id, amount="100", **overrides):
    data = {
        "payer_id": str(payer_id),
        "amount": amount,
        "paid_on": TODAY.isoformat(),
        "method": "transfer",
        "payer": "",
        "reference": "Loyer",
    }
    data.update(overrides)
    return client.post(f"/leases/{lease.id}/payments/new", data=data)


def entries(db, lease):
    db.session.expire_all()
    return [
        (p.tenant_id, p.amount_cents, p.reverses_id)
        for p in db.session.scalars(db.select(LeasePayment).filter_by(lease_id=lease.id).order_by(LeasePayment.id))
    ]


def test_record_payments_and_reverse_one(client, auth, db, people, make_lease):
    lease = make_lease(status="running")
    julie = lease.tenants[0]
    login(auth, people.staff)
    assert client.get(f"/leases/{lease.id}/payments/new").status_code == 200
    assert pay(client, lease, julie.id, "345").status_code == 302
    assert pay(client, lease, 0, "270,00").status_code == 302  # the commune
    assert entries(db, lease) == [(julie.id, 34_500, None), (None, 27_000, None)]
    first = db.session.scalars(db.select(LeasePayment).filter_by(lease_id=lease.id).order_by(LeasePayment.id)).first()
    assert client.post(f"/leases/{lease.id}/payments/{first.id}/reverse", data={"reason": ""}).status_code == 302
    assert len(entries(db, lease)) == 3 - 1  # no reason, no reversal
    client.post(f"/leases/{lease.id}/payments/{first.id}/reverse", data={"reason": "Mauvais locataire"})
    assert entries(db, lease)[-1] == (julie.id, -34_500, first.id)
    again = client.post(
        f"/leases/{lease.id}/payments/{first.id}/reverse", data={"reason": "Encore"}, follow_redirects=True
    )
    assert "already reversed" in page_text(again) or "déjà" in page_text(again)
    reversal = db.session.scalars(db.select(LeasePayment).filter_by(reverses_id=first.id)).one()
    client.post(f"/leases/{lease.id}/payments/{reversal.id}/reverse", data={"reason": "Non"})
    assert len(entries(db, lease)) == 3
    page = page_text(client.get(f"/leases/{lease.id}/payments"))
    assert "-345,00" in page and "Mauvais locataire" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": "-20"}, "Give an amount above zero."),
        ({"amount": "0"}, "Give an amount above zero."),
        ({"amount": "12,345"}, "Give an amount in euros"),
        ({"amount": ""}, "Give the amount paid."),
        ({"paid_on": (TODAY + timedelta(days=3)).isoformat()}, "A payment cannot be dated in the future."),
        ({"paid_on": "31/12/2026"}, "Give a date such as"),
        ({"payer_id": "424242"}, "Choose who paid from the list."),
        ({"method": "bitcoin"}, "Not a valid choice"),
    ],
)
def test_bad_payments_are_refused_and_nothing_recorded(client, auth, db, people, make_lease, overrides, message):
    lease = make_lease(status="running")
    login(auth, people.staff)
    client.post("/language", data={"lang": "en"})
    overrides = dict(overrides)
    response = pay(client, lease, overrides.pop("payer_id", lease.tenants[0].id), **overrides)
    assert response.status_code == 422
    assert message in page_text(response)
    assert entries(db, lease) == []


def test_no_payment_on_a_draft_or_ended_lease(client, auth, db, people, make_lease):
    lease = make_lease()
    login(auth, people.staff)
    client.post("/language", data={"lang": "en"})
    response = pay(client, lease, lease.tenants[0].id)
    assert response.status_code == 422
    assert "only on a signed or running lease" in page_text(response)
    assert entries(db, lease) == []


def test_unknown_payment_and_tenant_ids_are_404(client, auth, people, make_lease, make_unit):
    lease = make_lease(status="running")
    other = make_lease(status="signed", unit=make_unit(address="Rue d'Ath 7"))
    login(auth, people.staff)
    assert client.post(f"/leases/{lease.id}/payments/424242/reverse", data={"reason": "x"}).status_code == 404
    assert client.get(f"/leases/{lease.id}/tenants/{other.tenants[0].id}/edit").status_code == 404
    assert client.post(f"/leases/{lease.id}/tenants/{other.tenants[0].id}/remove").status_code == 404


def test_balances_and_the_overdue_list(client, auth, db, people, make_lease):
    lease = make_lease(status="running")
    julie = lease.tenants[0]
    operations.record_payment(lease, by=people.staff, tenant=julie, amount_cents=2 * 34_500, paid_on=TODAY, today=TODAY)
    db.session.flush()
    login(auth, people.staff)
    page = page_text(client.get("/c/lessines/leases/overdue"))
    # Two months are over: Julie paid both, Mehdi owes 2 × 435 €, the commune 2 × 270 €.
    assert "Mehdi Bouazza" in page and "870,00" in page and "540,00" in page
    assert "Julie Carlier" not in page
    balances = page_text(client.get(f"/leases/{lease.id}/payments"))
    assert re.search(rf'data-tenant-id="{julie.id}">.*?data-balance>345,00', balances, re.S)  # the current month


def test_the_ledger_as_csv_for_excel(client, auth, db, people, make_lease):
    lease = make_lease(status="running")
    operations.record_payment(
        lease,
        by=people.staff,
        tenant=lease.tenants[0],
        amount_cents=123_456,
        paid_on=TODAY,
        today=TODAY,
        reference="=HYPERLINK()",
    )
    db.session.flush()
    login(auth, people.staff)
    response = client.get(f"/leases/{lease.id}/ledger.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert "\r\n" in text and ";" in text.splitlines()[0]
    assert ";1234,56;" in text and "'=HYPERLINK()" in text
    client.post("/language", data={"lang": "en"})
    english = client.get(f"/leases/{lease.id}/ledger.csv").data.decode("utf-8-sig")
    assert ",1234.56," in english and english.splitlines()[0].startswith("Ledger entry,")


# -- graduation -------------------------------------------------------------------------------------------


def test_graduation_to_a_permanent_lease_elsewhere_in_the_commune(client, auth, db, people, make_lease, make_unit):
    lease = make_lease(status="running")
    shop = make_unit(address="Rue de Grammont 8, 7860 Lessines")
    mehdi = lease.tenants[1]
    login(auth, people.staff)
    on = (TODAY + timedelta(days=1)).isoformat()
    assert client.get(f"/leases/{lease.id}/tenants/{mehdi.id}/graduation").status_code == 200
    bad = client.post(
        f"/leases/{lease.id}/tenants/{mehdi.id}/graduation",
        data={"outcome": "permanent_lease", "on": on, "unit": "", "address": ""},
    )
    assert bad.status_code == 422
    response = client.post(
        f"/leases/{lease.id}/tenants/{mehdi.id}/graduation",
        data={"outcome": "permanent_lease", "on": on, "unit": str(shop.id), "address": ""},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (mehdi.graduation_outcome, mehdi.graduation_unit_id, mehdi.exit_on) == (
        "permanent_lease",
        shop.id,
        TODAY + timedelta(days=1),
    )
    assert shop.status == "occupied"
    login(auth, people.mehdi)
    assert "Rue de Grammont 8" in main_of(client.get(f"/leases/{lease.id}"))


def test_graduation_before_entry_or_to_another_communes_unit_is_refused(db, people, make_lease, make_unit, ath):
    lease = make_lease(status="running")
    julie = lease.tenants[0]
    with pytest.raises(LeaseError):
        operations.record_graduation(julie, by=people.staff, outcome="stopped", on=START)
    with pytest.raises(LeaseError):
        operations.record_graduation(
            julie, by=people.staff, outcome="permanent_lease", on=TODAY, unit=make_unit(commune=ath, address="Ath 1")
        )
    assert julie.graduation_outcome is None


# -- who sees what -------------------------------------------------------------------------------------------


def test_a_co_tenant_sees_only_their_own_share(client, auth, db, people, make_lease):
    lease = make_lease(status="running")
    operations.record_payment(
        lease, by=people.staff, tenant=lease.tenants[1], amount_cents=5000, paid_on=TODAY, today=TODAY
    )
    db.session.flush()
    login(auth, people.julie)
    assert f'data-lease-id="{lease.id}"' in client.get("/leases/").text
    detail = main_of(client.get(f"/leases/{lease.id}"))
    assert "Julie Carlier" in detail and "Mehdi Bouazza" not in detail
    statement = page_text(client.get(f"/leases/{lease.id}/statements/{START.year}/{START.month}"))
    assert "Julie Carlier" in statement and "Mehdi Bouazza" not in statement and "owner-view" not in statement
    ledger = main_of(client.get(f"/leases/{lease.id}/payments"))
    assert "Mehdi" not in ledger and "50,00" not in ledger
    assert pay(client, lease, lease.tenants[0].id).status_code == 403
    assert client.get(f"/leases/{lease.id}/ledger.csv").status_code == 403
    assert client.post(f"/leases/{lease.id}/sign").status_code == 403


def test_the_owner_sees_the_whole_lease_and_records_payments_but_does_not_manage_it(
    client, auth, db, people, make_lease
):
    lease = make_lease(status="running")
    login(auth, people.owner)
    assert f'data-lease-id="{lease.id}"' in client.get("/leases/").text
    assert "Mehdi Bouazza" in main_of(client.get(f"/leases/{lease.id}"))
    assert pay(client, lease, lease.tenants[1].id, "435").status_code == 302
    assert entries(db, lease) == [(lease.tenants[1].id, 43_500, None)]
    assert client.get(f"/leases/{lease.id}/tenants/new").status_code == 403
    assert client.post(f"/leases/{lease.id}/end").status_code == 403
    assert client.get("/c/lessines/leases").status_code == 403


@pytest.mark.parametrize("who", ["other_owner", "stranger", "ath_staff"])
def test_outsiders_do_not_even_learn_the_lease_exists(client, auth, db, people, make_lease, who):
    lease = make_lease(status="running")
    login(auth, getattr(people, who))
    for path in (
        f"/leases/{lease.id}",
        f"/leases/{lease.id}/payments",
        f"/leases/{lease.id}/document",
        f"/leases/{lease.id}/statements/{START.year}/{START.month}",
        f"/leases/{lease.id}/ledger.csv",
    ):
        assert client.get(path).status_code == 404, path
    assert pay(client, lease, lease.tenants[0].id).status_code == 404
    assert client.post(f"/leases/{lease.id}/sign").status_code == 404
    assert f'data-lease-id="{lease.id}"' not in client.get("/leases/").text
    assert entries(db, lease) == []


def test_staff_of_another_commune_cannot_use_this_communes_pages(client, auth, people, unit):
    login(auth, people.ath_staff)
    for path in (
        "/c/lessines/leases",
        "/c/lessines/leases/new",
        "/c/lessines/leases/subsidies",
        "/c/lessines/leases/overdue",
    ):
        assert client.get(path).status_code == 403, path


def test_anonymous_visitors_are_sent_to_log_in(client, make_lease):
    lease = make_lease()
    for path in ("/leases/", f"/leases/{lease.id}", "/c/lessines/leases"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admins_manage_every_lease(client, auth, people, make_lease):
    lease = make_lease()
    login(auth, people.admin)
    assert client.post(f"/leases/{lease.id}/sign").status_code == 302
    assert client.get("/c/lessines/leases").status_code == 200


def test_staff_edit_a_draft_lease_but_not_a_signed_one(client, auth, db, people, unit, make_lease):
    lease = make_lease()
    login(auth, people.staff)
    client.post("/language", data={"lang": "en"})
    assert client.get(f"/leases/{lease.id}/edit").status_code == 200
    changed = client.post(f"/leases/{lease.id}/edit", data=lease_form(unit, rent="950", rent_method="area"))
    assert changed.status_code == 302
    db.session.expire_all()
    assert lease.rent_cents == 95_000
    # Moving the start after the co-tenants' entry would leave them outside the lease.
    later = (START + timedelta(days=3)).isoformat()
    refused = client.post(f"/leases/{lease.id}/edit", data=lease_form(unit, starts_on=later, rent="1000"))
    assert refused.status_code == 422
    assert "A co-tenant's dates must lie inside the lease" in page_text(refused)
    db.session.expire_all()
    assert (lease.starts_on, lease.rent_cents) == (START, 95_000)
    operations.sign(lease, by=people.staff)
    db.session.flush()
    signed = client.post(f"/leases/{lease.id}/edit", data=lease_form(unit, rent="1"), follow_redirects=True)
    assert "Only a draft lease can be changed" in page_text(signed)
    db.session.expire_all()
    assert lease.rent_cents == 95_000


def test_a_co_tenant_with_payments_cannot_be_removed(client, auth, db, people, make_lease):
    lease = make_lease(status="running")
    julie = lease.tenants[0]
    operations.record_payment(lease, by=people.staff, tenant=julie, amount_cents=100, paid_on=TODAY, today=TODAY)
    db.session.flush()
    login(auth, people.staff)
    client.post("/language", data={"lang": "en"})
    response = client.post(f"/leases/{lease.id}/tenants/{julie.id}/remove", follow_redirects=True)
    assert "give an exit date instead" in page_text(response)
    db.session.expire_all()
    assert len(lease.tenants) == 2


def test_the_database_keeps_one_reversal_per_entry(db, people, make_lease):
    from sqlalchemy.exc import IntegrityError

    lease = make_lease(status="running")
    payment = operations.record_payment(
        lease, by=people.staff, tenant=lease.tenants[0], amount_cents=500, paid_on=TODAY, today=TODAY
    )
    operations.reverse_payment(payment, by=people.staff, reason="Erreur", today=TODAY)
    with pytest.raises(LeaseError):
        operations.reverse_payment(payment, by=people.staff, reason="Encore", today=TODAY)
    # Even a second reversal written behind the operation's back (a concurrent request) is refused.
    savepoint = db.session.begin_nested()
    db.session.add(LeasePayment(lease_id=lease.id, amount_cents=-500, paid_on=TODAY, reverses_id=payment.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    savepoint.rollback()


def test_a_stepped_rent_shows_as_its_own_line_and_the_commune_owes_it(client, auth, people, make_lease):
    lease = make_lease(status="signed", rent_steps=[[0, 70], [1, 100]], subsidy_percent=0)
    login(auth, people.staff)
    first = page_text(client.get(f"/leases/{lease.id}/statements/{START.year}/{START.month}"))
    # Julie's 540 € of rent: 30 % (162 €) paid by the commune in the first month.
    julie = lease.tenants[0]
    assert re.search(rf'data-tenant-id="{julie.id}".*?data-line="step">-162,00', first, re.S)
    assert 'data-line="commune">270,00' in first  # 162 + 108 for Mehdi's 360 €
    second = page_text(client.get(f"/leases/{lease.id}/statements/{month_start(-1).year}/{month_start(-1).month}"))
    assert 'data-line="step"' not in second


def test_one_co_tenant_per_stand_at_a_time_even_behind_the_codes_back(db, backend, people, unit, make_lease):
    """PostgreSQL refuses it by an exclusion constraint; on SQLite, writes are serialised (BEGIN IMMEDIATE)
    so the operation's own check holds, and it is what refuses here."""
    from sqlalchemy.exc import IntegrityError

    offer = Offer(unit=unit, owner_id=unit.owner_id, title="T", available_from=START)
    offer.stands.append(Stand(label="A", area_m2=10, position=1))
    db.session.add(offer)
    db.session.flush()
    stand = offer.stands[0]
    lease = make_lease(tenants=(), offer_id=offer.id)
    operations.add_tenant(lease, by=people.staff, entrepreneur=people.julie, stand=stand, area_m2=10, entry_on=START)
    if backend == "postgis":
        savepoint = db.session.begin_nested()
        db.session.add(
            LeaseTenant(lease_id=lease.id, entrepreneur_id=people.mehdi.id, stand_id=stand.id, entry_on=month_start(1))
        )
        with pytest.raises(IntegrityError, match="ex_lease_tenants_stand"):
            db.session.flush()
        savepoint.rollback()
    from popup.domain.rentsplit import RentSplitError

    with pytest.raises(RentSplitError):
        operations.add_tenant(
            lease, by=people.staff, entrepreneur=people.mehdi, stand=stand, area_m2=10, entry_on=month_start(1)
        )
    # After the first co-tenant leaves, the stand is free again.
    lease.tenants[0].exit_on = month_start(1)
    db.session.flush()
    operations.add_tenant(
        lease, by=people.staff, entrepreneur=people.mehdi, stand=stand, area_m2=10, entry_on=month_start(1)
    )
    assert len(lease.tenants) == 2
