"""Synthetic units for load tests: the pure generator, the loader and `flask popup synth`."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from itertools import pairwise

import pytest
from shapely.geometry import Point, Polygon
from sqlalchemy import func, select

from popup import geo, synth
from popup.communes.models import CommercialCore, Commune
from popup.domain.addresses import street_of
from popup.domain.vocabulary import UNIT_STATUSES
from popup.units.models import Unit, UnitStatusChange

TODAY = date(2025, 6, 1)
LESSINES = synth.town_by_key("lessines")
RONSE = synth.town_by_key("ronse")


def _units(town=LESSINES, count=500, **kw):
    kw.setdefault("seed", 7)
    kw.setdefault("today", TODAY)
    return list(synth.generate_units(town, count, **kw))


def _count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# -- the pure generator -------------------------------------------------------------


def test_same_seed_same_units_other_seed_other_units():
    first = _units(count=300)
    assert first == _units(count=300)
    other = _units(count=300, seed=8)
    assert [(u.lon, u.lat) for u in other] != [(u.lon, u.lat) for u in first]
    assert synth.boundary_ring(LESSINES, 7) == synth.boundary_ring(LESSINES, 7)
    assert synth.core_shapes(LESSINES, 7) == synth.core_shapes(LESSINES, 7)


@pytest.mark.parametrize("town", [LESSINES, RONSE, synth.town_by_key("gent")], ids=lambda t: t.key)
def test_units_and_cores_lie_inside_the_boundary(town):
    boundary = Polygon(synth.boundary_ring(town, 3))
    assert boundary.is_valid
    units = _units(town, 3_000, seed=3)
    assert all(boundary.contains(Point(u.lon, u.lat)) for u in units)
    cores = synth.core_shapes(town, 3)
    assert 1 <= len(cores) <= 3
    polygons = [Polygon(core.ring) for core in cores]
    assert all(p.is_valid and boundary.contains(p) for p in polygons)
    assert all(not a.intersects(b) for i, a in enumerate(polygons) for b in polygons[i + 1 :])
    # About 4 km across: the boundary's box is 4.0 to 4.6 km wide.
    _, miny, _, maxy = boundary.bounds
    assert 4.0 <= (maxy - miny) * synth.METRES_PER_DEGREE / 1000 <= 4.7
    # Denser near the centre: the main core holds a good share of the units.
    centre_core = polygons[0]
    inside = sum(centre_core.contains(Point(u.lon, u.lat)) for u in units)
    assert inside / len(units) > centre_core.area / boundary.area * 3


def test_units_spread_along_a_few_dozen_streets_at_shop_spacing():
    units = _units(count=1_000)
    streets = Counter(u.street for u in units)
    assert 10 <= len(streets) <= 80
    # Neighbours on one street stand 8 to 15 m apart (more where houses are not shops).
    frame = synth.Frame(LESSINES.lon, LESSINES.lat)
    by_side: dict[tuple[str, int], list[synth.SynthUnit]] = {}
    for u in units:
        number = int(u.address.split(",")[0].rsplit(" ", 1)[1])
        by_side.setdefault((u.street, number % 2), []).append((number, u))
    gaps = []
    for row in by_side.values():
        row.sort()
        for (n1, a), (n2, b) in pairwise(row):
            if n2 - n1 == 2:  # next-door houses
                dx = (b.lon - a.lon) * frame.m_per_deg_lon
                dy = (b.lat - a.lat) * synth.METRES_PER_DEGREE
                gaps.append((dx * dx + dy * dy) ** 0.5)
    assert gaps
    assert 6 <= sorted(gaps)[len(gaps) // 2] <= 18


@pytest.mark.parametrize(
    ("town", "pattern"),
    [
        (LESSINES, r"^(Rue|Avenue|Place|Chaussée|Boulevard|Ruelle) \S.* \d+, 7860 Lessines$"),
        (RONSE, r"^(\S.*(straat|laan|plein|dreef|steeg|weg)( [IVX]+)?|Steenweg op \S+) \d+, 9600 Ronse$"),
    ],
    ids=["french", "dutch"],
)
def test_addresses_are_plausible_and_ids_unique(town, pattern):
    units = _units(town, 2_000)
    for u in units:
        assert re.match(pattern, u.address), u.address
        assert street_of(u.address) == u.street
    assert len({u.address for u in units}) == len(units)
    assert [u.external_id for u in units] == [f"SYN-{town.key}-{n}" for n in range(1, 2_001)]


def test_about_one_unit_in_six_is_vacant_and_values_are_plausible():
    units = _units(count=4_000)
    statuses = Counter(u.status for u in units)
    assert set(statuses) <= set(UNIT_STATUSES)
    assert 0.10 <= statuses["vacant"] / len(units) <= 0.22
    assert statuses["occupied"] > len(units) / 2
    assert all(12 <= u.floor_area_m2 <= 2_000 for u in units)
    assert all(2.5 <= u.frontage_m <= 40 for u in units)
    assert all(u.asking_rent_cents is None or u.asking_rent_cents > 0 for u in units)
    assert all(u.asking_rent_cents is not None for u in units if u.status == "vacant")
    areas = sorted(u.floor_area_m2 for u in units)
    assert 50 <= areas[len(areas) // 2] <= 130  # a typical shop


def test_history_has_one_to_three_dated_changes_ending_with_the_status():
    lengths = Counter()
    for u in _units(count=2_000):
        lengths[len(u.history)] += 1
        assert u.history[-1][1] == u.status
        assert u.history[0][0] is None
        for (_, before, on1), (after_from, after, on2) in pairwise(u.history):
            assert after_from == before != after
            assert on1 < on2
        assert u.history[-1][2] <= TODAY
    assert set(lengths) == {1, 2, 3}


def test_a_later_run_continues_on_new_places():
    whole = _units(count=300)
    first, rest = _units(count=200), _units(count=100, start=200)
    assert [(u.address, u.lon, u.lat) for u in first + rest] == [(u.address, u.lon, u.lat) for u in whole]
    assert [u.external_id for u in rest] == [f"SYN-lessines-{n}" for n in range(201, 301)]


def test_plan_shares_the_units_and_refuses_bad_numbers():
    allotment = synth.plan(10_000, 3)
    assert [town.key for town, _ in allotment] == ["lessines", "ath", "enghien"]
    assert sum(n for _, n in allotment) == 10_000
    assert len(synth.plan(1_000_000)) == len(synth.TOWNS) == 25
    assert len(synth.plan(100)) == 1
    for units, communes, message in [
        (0, None, "--units must be at least 1"),
        (-5, None, "--units must be at least 1"),
        (10, 0, "--communes must be between 1 and 25"),
        (10, 999, "--communes must be between 1 and 25"),
        (2, 3, "cannot exceed --units"),
    ]:
        with pytest.raises(synth.SynthError, match=re.escape(message)):
            synth.plan(units, communes)


# -- loading, on both databases -----------------------------------------------------


def test_synth_command_creates_communes_cores_units_and_history(runner, db):
    result = runner.invoke(args=["popup", "synth", "--units", "400", "--communes", "2", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "Added 400 units" in result.output and "units/s" in result.output

    communes = db.session.scalars(select(Commune).order_by(Commune.slug)).all()
    assert [(c.slug, c.name) for c in communes] == [
        ("synth-ath", "Ath (synthetic)"),
        ("synth-lessines", "Lessines (synthetic)"),
    ]
    assert all(c.is_demo and c.boundary is not None for c in communes)
    for commune in communes:
        assert 1 <= len(commune.cores) <= 3
        assert all(core.is_demo for core in commune.cores)
    assert _count(db, Unit) == 400
    assert _count(db, Unit, Unit.is_demo.is_(False)) == 0

    units = db.session.scalars(select(Unit)).all()
    assert all(u.street == street_of(u.address) for u in units)
    for u in units:
        assert 1 <= len(u.history) <= 3
        assert u.history[-1].to_status == u.status
        assert u.history[-1].changed_at == u.status_changed_at
    assert _count(db, UnitStatusChange) == sum(len(u.history) for u in units)


def test_synthetic_units_lie_in_their_commune_and_the_spatial_index_finds_them(runner, db, client):
    assert runner.invoke(args=["popup", "synth", "--units", "300", "--communes", "1"]).exit_code == 0
    commune = db.session.execute(select(Commune).filter_by(slug="synth-lessines")).scalar_one()
    dialect = db.engine.dialect.name
    boundary = select(Commune.boundary).where(Commune.id == commune.id).scalar_subquery()
    # within_polygon goes through the R*Tree on SpatiaLite: every unit must be in it.
    inside = _count(db, Unit, geo.within_polygon(dialect, Unit.id, Unit.location, boundary))
    assert inside == 300

    bbox = (LESSINES.lon - 0.004, LESSINES.lat - 0.003, LESSINES.lon + 0.004, LESSINES.lat + 0.003)
    expected = {
        u.id
        for u in db.session.scalars(select(Unit))
        if bbox[0] <= geo.lonlat(u.location)[0] <= bbox[2] and bbox[1] <= geo.lonlat(u.location)[1] <= bbox[3]
    }
    assert len(expected) > 20
    response = client.get("/api/v1/units", query_string={"bbox": ",".join(map(str, bbox)), "limit": 1000})
    assert response.status_code == 200
    assert {f["id"] for f in response.get_json()["features"]} == expected


def test_running_again_adds_units_without_duplicates(runner, db):
    for _ in range(2):
        result = runner.invoke(args=["popup", "synth", "--units", "120", "--communes", "1"])
        assert result.exit_code == 0, result.output
    assert "Created communes" not in result.output
    assert _count(db, Commune) == 1
    assert _count(db, CommercialCore) == len(synth.core_shapes(LESSINES, 0))
    ids = db.session.scalars(select(Unit.external_id)).all()
    assert sorted(ids, key=lambda e: int(e.rsplit("-", 1)[1])) == [f"SYN-lessines-{n}" for n in range(1, 241)]
    addresses = db.session.scalars(select(Unit.address)).all()
    assert len(set(addresses)) == 240


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--units", "0"], "--units must be at least 1"),
        (["--units", "-5"], "--units must be at least 1"),
        (["--units", "10", "--communes", "0"], "--communes must be between 1 and 25"),
        (["--units", "10", "--communes", "999"], "--communes must be between 1 and 25"),
        (["--units", "ten"], "'ten' is not a valid integer"),
        (["--units", "10", "--batch-size", "0"], "--batch-size must be at least 1"),
        ([], "Missing option '--units'"),
    ],
)
def test_bad_input_gets_a_clear_message_and_creates_nothing(runner, db, args, message):
    result = runner.invoke(args=["popup", "synth", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert _count(db, Commune) == 0
    assert _count(db, Unit) == 0


def test_loader_can_leave_the_transaction_to_the_caller(db):
    report = synth.load(synth.plan(50, 1), seed=1, today=TODAY, batch_size=20, commit=False)
    assert (report.units, report.per_commune) == (50, {"synth-lessines": 50})
    assert report.history == _count(db, UnitStatusChange)
    assert _count(db, Unit) == 50
    generated = {u.external_id: u for u in _units(count=50, seed=1)}
    for unit in db.session.scalars(select(Unit)):
        expected = generated[unit.external_id]
        assert (unit.address, unit.status, unit.asking_rent_cents) == (
            expected.address,
            expected.status,
            expected.asking_rent_cents,
        )
        lon, lat = geo.lonlat(unit.location)
        assert lon == pytest.approx(expected.lon, abs=1e-9) and lat == pytest.approx(expected.lat, abs=1e-9)
