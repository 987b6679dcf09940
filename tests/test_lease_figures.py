"""The leases' figures on the dashboard (outcomes and graduation rate, rent due against collected, subsidy paid),
from hand-built leases, January to April 2024."""

from __future__ import annotations

from datetime import date

import pytest

from popup.leases.models import Lease, LeasePayment, LeaseTenant
from tests.test_dashboard import PERIOD, as_staff, csv_rows, figures_of, staff  # noqa: F401  (fixtures)


def _lease(db, unit, tenants, **kw) -> Lease:
    kw.setdefault("rent_method", "equal")
    kw.setdefault("charges_method", "equal")
    lease = Lease(commune_id=unit.commune_id, unit=unit, **kw)
    for person, fields in tenants:
        fields.setdefault("entry_on", lease.starts_on)
        lease.tenants.append(LeaseTenant(entrepreneur=person, area_m2=10, **fields))
    db.session.add(lease)
    db.session.flush()
    return lease


def _pay(db, lease, tenant, cents, on, reverses=None):
    payment = LeasePayment(
        lease_id=lease.id,
        tenant_id=tenant.id if tenant is not None else None,
        amount_cents=cents,
        paid_on=on,
        reverses_id=reverses.id if reverses is not None else None,
    )
    db.session.add(payment)
    db.session.flush()
    return payment


@pytest.fixture
def people(make_user):
    names = ("Julie", "Mehdi", "Anna", "Ben", "Cara", "Dave", "Eve")
    return {n: make_user(role="entrepreneur", name=n) for n in names}


@pytest.fixture
def money_lease(db, make_unit, people):
    """1 000 € a month shared equally by Julie (subsidised at 50 %) and Mehdi: Julie owes 250, the commune 250,
    Mehdi 500 each month."""
    lease = _lease(
        db,
        make_unit(address="Rue A 1, 7860 Lessines"),
        [(people["Julie"], {"subsidised": True}), (people["Mehdi"], {})],
        starts_on=date(2024, 1, 1),
        ends_on=date(2024, 7, 1),
        rent_cents=100_000,
        subsidy_percent=50,
        status="running",
    )
    julie, mehdi = lease.tenants
    _pay(db, lease, julie, 25_000, date(2024, 1, 5))
    _pay(db, lease, mehdi, 50_000, date(2024, 1, 5))
    _pay(db, lease, mehdi, 50_000, date(2023, 12, 20))  # before the period
    _pay(db, lease, mehdi, 50_000, date(2024, 5, 2))  # after it
    _pay(db, lease, None, 25_000, date(2024, 2, 1))  # the commune
    mistake = _pay(db, lease, julie, 10_000, date(2024, 2, 3))
    _pay(db, lease, julie, -10_000, date(2024, 2, 4), reverses=mistake)
    return lease


def test_rent_due_against_collected_in_the_period(as_staff, money_lease):  # noqa: F811
    figures = figures_of(as_staff.get(f"/c/lessines/dashboard?{PERIOD}"))
    # Due Jan-Apr: 4 × (250 + 500) from the co-tenants + 4 × 250 from the commune = 4 000 €.
    # Collected in the period: 250 + 500 + 100 − 100 from them, 250 from the commune = 1 000 €.
    assert figures["rent-due"].replace("\u202f", " ").replace("\xa0", " ") == "€4,000.00"
    assert figures["rent-collected"] == "€1,000.00"
    assert figures["collection-rate"].startswith("25.0")
    rows = csv_rows(as_staff.get(f"/c/lessines/dashboard/collection.csv?{PERIOD}"))
    assert rows == [
        ["Lease", "Due from the co-tenants", "Paid by the co-tenants", "Due from the commune", "Paid by the commune"],
        [f"Lease no. {money_lease.id}, Rue A 1, 7860 Lessines", "3000,00", "750,00", "1000,00", "250,00"],
    ]


def test_subsidy_owed_and_paid_by_the_commune_in_the_period(as_staff, money_lease):  # noqa: F811
    figures = figures_of(as_staff.get(f"/c/lessines/dashboard?{PERIOD}"))
    assert (figures["subsidy-paid"], figures["subsidy-owed"]) == ("€250.00", "€1,000.00")
    rows = csv_rows(as_staff.get(f"/c/lessines/dashboard/subsidy.csv?{PERIOD}"))
    assert rows[1:] == [[f"Lease no. {money_lease.id}, Rue A 1, 7860 Lessines", "1000,00", "250,00"]]


def test_leases_of_another_commune_and_drafts_do_not_count(as_staff, db, make_unit, make_commune, people):  # noqa: F811
    ath = make_commune(name="Ath", slug="ath")
    for commune, status in ((ath, "running"), (None, "draft")):
        unit = make_unit(commune=commune) if commune else make_unit()
        lease = _lease(
            db,
            unit,
            [(people["Eve"], {})],
            starts_on=date(2024, 1, 1),
            ends_on=date(2024, 7, 1),
            rent_cents=50_000,
            status=status,
        )
        _pay(db, lease, lease.tenants[0], 50_000, date(2024, 1, 2))
        _pay(db, lease, None, 50_000, date(2024, 1, 2))
    figures = figures_of(as_staff.get(f"/c/lessines/dashboard?{PERIOD}"))
    assert (figures["rent-due"], figures["rent-collected"], figures["subsidy-paid"]) == ("€0.00", "€0.00", "€0.00")
    assert figures["collection-rate"] == "–"
    assert csv_rows(as_staff.get(f"/c/lessines/dashboard/collection.csv?{PERIOD}"))[1:] == []


def test_outcomes_of_the_tests_that_ended_in_the_period_and_the_graduation_rate(as_staff, db, make_unit, people):  # noqa: F811
    unit = make_unit(address="Rue B 1, 7860 Lessines")
    _lease(
        db,
        unit,
        [
            (
                people["Anna"],
                {
                    "exit_on": date(2024, 2, 15),
                    "graduation_outcome": "permanent_lease",
                    "graduated_on": date(2024, 2, 15),
                    "graduation_address": "Rue C 2",
                },
            ),
            (people["Ben"], {}),  # leaves with the lease on 1 March, no outcome recorded yet
            (
                people["Cara"],
                {"exit_on": date(2023, 12, 1), "graduation_outcome": "stopped", "graduated_on": date(2023, 12, 1)},
            ),  # before the period
            (
                people["Dave"],
                {
                    "exit_on": date(2024, 2, 1),
                    "graduation_outcome": "elsewhere",
                    "graduated_on": date(2024, 2, 1),
                    "graduation_address": "Ath",
                },
            ),
        ],
        starts_on=date(2023, 10, 1),
        ends_on=date(2024, 3, 1),
        status="ended",
    )
    _lease(  # running: Julie's test goes on, Mehdi stopped in April
        db,
        make_unit(address="Rue D 1, 7860 Lessines"),
        [
            (people["Julie"], {}),
            (
                people["Mehdi"],
                {"exit_on": date(2024, 4, 10), "graduation_outcome": "stopped", "graduated_on": date(2024, 4, 10)},
            ),
        ],
        starts_on=date(2024, 1, 1),
        ends_on=date(2030, 1, 1),
        status="running",
    )
    figures = figures_of(as_staff.get(f"/c/lessines/dashboard?{PERIOD}"))
    assert [figures[k] for k in ("tests-ended", "permanent", "stopped", "elsewhere", "not-recorded")] == [
        "4",
        "1",
        "1",
        "1",
        "1",
    ]
    assert figures["graduation-rate"].replace("\xa0", " ") == "25.0 %"
    rows = csv_rows(as_staff.get(f"/c/lessines/dashboard/graduation.csv?{PERIOD}"))
    assert rows == [
        ["Entrepreneur", "Unit", "Test ended on", "Outcome"],
        ["Dave", "Rue B 1, 7860 Lessines", "2024-02-01", "Moves elsewhere"],
        ["Anna", "Rue B 1, 7860 Lessines", "2024-02-15", "Stays with a permanent lease"],
        ["Ben", "Rue B 1, 7860 Lessines", "2024-03-01", "Not recorded"],
        ["Mehdi", "Rue D 1, 7860 Lessines", "2024-04-10", "Stops the activity"],
    ]


def test_no_test_ended_means_no_rate(as_staff):  # noqa: F811
    figures = figures_of(as_staff.get(f"/c/lessines/dashboard?{PERIOD}"))
    assert (figures["tests-ended"], figures["graduation-rate"]) == ("0", "–")


def test_lease_figures_are_for_staff_of_the_commune_only(client, auth, make_user, make_commune, money_lease):
    auth.login(make_user(role="staff", communes=[make_commune(name="Ath", slug="ath")]).email)
    for key in ("graduation", "collection", "subsidy"):
        assert client.get(f"/c/lessines/dashboard/{key}.csv?{PERIOD}").status_code == 403
    auth.login(money_lease.tenants[0].entrepreneur.email)
    assert client.get(f"/c/lessines/dashboard/collection.csv?{PERIOD}").status_code == 403
