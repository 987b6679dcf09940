"""SVG chart geometry and CSV tables of the dashboard (pure)."""

from datetime import date
from fractions import Fraction

import pytest

from popup.domain.charts import bar_chart, line_chart, nice_ceiling, wrap
from popup.domain.tables import Column, Table, csv_cell, table_csv


@pytest.mark.parametrize(
    ("value", "ceiling"), [(0, 1), (0.3, 0.5), (1, 1), (3, 5), (16, 20), (36, 50), (0.345, 0.5), (120, 200)]
)
def test_nice_ceiling(value, ceiling):
    assert nice_ceiling(value) == pytest.approx(ceiling)


def test_bars_stand_on_the_axis_and_scale_with_their_value():
    chart = bar_chart([("Vacant", 10), ("Occupied", 20), ("Pop-up", 0)], top_value=20)
    bottom = chart.plot.bottom
    assert [b.label for b in chart.bars] == ["Vacant", "Occupied", "Pop-up"]
    assert all(b.y + b.height == pytest.approx(bottom) for b in chart.bars)
    assert chart.bars[1].height == pytest.approx(chart.plot.height)
    assert chart.bars[0].height == pytest.approx(chart.plot.height / 2)
    assert chart.bars[2].height == 0
    assert [b.value_label for b in chart.bars] == ["10", "20", "0"]
    # bars do not overlap and stay inside the plot
    assert all(a.x + a.width < b.x for a, b in zip(chart.bars, chart.bars[1:], strict=False))
    assert chart.plot.left <= chart.bars[0].x and chart.bars[-1].x + chart.bars[-1].width <= chart.plot.right


def test_ticks_fall_on_round_values_from_zero_to_the_top():
    chart = bar_chart([("a", 36)], value_format=lambda v: f"{v:g}")
    assert [t.label for t in chart.ticks] == ["0", "10", "20", "30", "40", "50"]
    assert chart.ticks[0].y == chart.plot.bottom and chart.ticks[-1].y == chart.plot.top
    assert [t.label for t in bar_chart([("a", 2)]).ticks] == ["0", "0.5", "1", "1.5", "2"]


def test_long_bar_labels_are_cut_into_lines():
    assert wrap("Withdrawn from the market", 14) == ["Withdrawn from", "the market"]
    chart = bar_chart([("Withdrawn from the market", 1)] * 5)
    assert len(chart.bars[0].label_lines) > 1


def test_negative_values_are_refused():
    with pytest.raises(ValueError):
        bar_chart([("a", -1)])
    with pytest.raises(ValueError):
        line_chart([("a", -0.1)])


def test_a_line_goes_through_its_points_and_breaks_where_nothing_is_known():
    chart = line_chart([("Jan", 0.5), ("Feb", 0.25), ("Mar", None), ("Apr", 0.5)], top_value=0.5)
    assert len(chart.segments) == 2
    first = [tuple(map(float, p.split(","))) for p in chart.segments[0].split()]
    assert first[0][1] == pytest.approx(chart.plot.top)  # 0.5 is the top
    assert first[1][1] == pytest.approx(chart.plot.top + chart.plot.height / 2)
    xs = [p.x for p in chart.points]
    assert xs == sorted(xs) and xs[0] == chart.plot.left and xs[-1] == chart.plot.right
    assert chart.points[2].value_label == ""


def test_many_months_show_one_label_in_every_few():
    chart = line_chart([(f"m{i}", 0.1) for i in range(36)])
    shown = [p.label for p in chart.points if p.show_label]
    assert 3 <= len(shown) <= 7 and shown[0] == "m0"


def test_a_single_point_sits_in_the_middle():
    chart = line_chart([("Jan", 0.2)])
    assert chart.points[0].x == pytest.approx(chart.plot.left + chart.plot.width / 2)


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (Fraction(1, 3), "percent", "33,3"),
        (Fraction(1, 4), "percent", "25"),
        (None, "percent", ""),
        (date(2026, 3, 1), "month", "2026-03"),
        (date(2026, 3, 5), "date", "2026-03-05"),
        (125050, "cents", "1250,50"),
        (12, "int", "12"),
        ("=HYPERLINK(1)", "text", "'=HYPERLINK(1)"),
        ("Grand-Place 1", "text", "Grand-Place 1"),
    ],
)
def test_csv_cells_read_right_in_belgian_excel(value, kind, text):
    assert csv_cell(value, kind) == text


def test_a_table_as_csv_has_a_bom_semicolons_crlf_and_its_header():
    table = Table("t", [Column("Mois", "month"), Column("Taux", "percent")], [(date(2026, 1, 1), Fraction(1, 2))])
    body = table_csv(table).decode("utf-8")
    assert body == "\ufeffMois;Taux\r\n2026-01;50\r\n"


def test_unknown_column_kinds_are_refused():
    with pytest.raises(ValueError):
        Column("x", "colour")
