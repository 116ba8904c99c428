"""The forecast-window arithmetic, tested without Odoo or a database."""

import datetime as dt

import pytest
from conftest import load_pure

fc = load_pure("forecast")


def test_module_imports_no_odoo():
    source = (fc.__file__ and open(fc.__file__).read()) or ""
    assert "import odoo" not in source and "from odoo" not in source


def test_forecast_date_seed_example():
    # Vendor 4 + purchase security 1 + days to purchase 2, today Nov 26 -> Dec 3.
    assert fc.forecast_date(dt.date(2026, 11, 26), 7) == dt.date(2026, 12, 3)
    assert fc.forecast_date(dt.date(2026, 11, 26), 7, 3) == dt.date(2026, 12, 6)


def test_visibility_end_and_procurement_date():
    assert fc.visibility_end(dt.date(2026, 12, 4), 20) == dt.date(2026, 12, 24)
    assert fc.procurement_date(dt.date(2026, 12, 6), 3) == dt.date(2026, 12, 3)


def test_classify():
    fdate, vend = dt.date(2026, 12, 4), dt.date(2026, 12, 24)
    assert fc.classify(dt.datetime(2026, 12, 4, 23, 0), fdate, vend) == fc.WINDOW
    assert fc.classify(dt.datetime(2026, 12, 19, 9, 0), fdate, vend) == fc.VISIBILITY
    assert fc.classify(dt.date(2026, 12, 25), fdate, vend) == fc.AFTER


@pytest.mark.parametrize(
    "forecast,min_qty,max_qty,multiple,expected,step",
    [
        # odoo18-internals §1.5 table (forecast = forecast with visibility here)
        (4, 5, 6, 4, 0, "down"),
        (4, 5, 10, 4, 4, "down"),
        (-5, 0, 0, 4, 8, "up"),
        (-5, 0, 0, 0, 5, "none"),
        (-5, 2, 2, 1, 7, "none"),
        (-5, 2, 2, 3, 6, "down"),
        (55, 5, 0, 1, 0, "none"),
    ],
)
def test_qty_to_order_table(forecast, min_qty, max_qty, multiple, expected, step):
    res = fc.qty_to_order(forecast, forecast, min_qty, max_qty, multiple)
    assert res.qty == expected
    assert res.rounding == step


def test_visibility_only_enlarges_a_due_order():
    # Forecast 0 at the forecasted date, -10 with visibility: min 0 is not crossed.
    res = fc.qty_to_order(0, -10, 0, 0, 1)
    assert not res.triggered and res.qty == 0 and res.visibility_added == 0
    res = fc.qty_to_order(-5, -15, 0, 0, 1)
    assert res.triggered and res.qty == 15 and res.visibility_added == 10


def test_compare_uses_rounding():
    assert fc.compare(0.004, 0.0, 0.01) == 0
    assert fc.compare(0.006, 0.0, 0.01) == 1
    assert fc.compare(-0.3, 0.0, 0.01) == -1


def test_window_days_error():
    assert fc.window_days_error(0) is None
    assert fc.window_days_error(3650) is None
    assert fc.window_days_error(-1) == "negative"
    assert fc.window_days_error(3651) == "too large"


def test_forecast_at():
    moves = [(dt.datetime(2026, 12, 3, 10), -5), (dt.datetime(2026, 12, 4, 1), -2)]
    assert fc.forecast_at(1, moves, dt.date(2026, 12, 3)) == -4
    assert fc.forecast_at(1, moves, dt.date(2026, 12, 4)) == -6
