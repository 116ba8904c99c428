# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Forecast-window arithmetic of a reordering rule, free of any ORM.

The reordering rule (``stock.warehouse.orderpoint``) of Odoo 18 decides what to order in
two steps, which this module reproduces on plain numbers and dates so that it can be
explained term by term and tested without a database:

1. The *forecasted date* is today + lead days (+ the horizon days of this addon). The
   forecast at the end of that day is compared with the rule's minimum: only a forecast
   below the minimum triggers an order.
2. Once triggered, the quantity is computed on a wider window, the forecasted date plus
   the visibility days: ``max(min, max) - forecast(visibility end)``, then rounded to
   the multiple: *up* when the maximum is 0 (a 0/0/1 rule), *down* otherwise.
"""

import datetime
import math
from dataclasses import asdict, dataclass

#: Upper bound accepted for horizon and visibility days (ten years).
MAX_WINDOW_DAYS = 3650

WINDOW = "window"
VISIBILITY = "visibility"
AFTER = "after"


def window_days_error(value):
    """Return None when ``value`` is an acceptable number of days, else why not."""
    if value is None or value is False:
        return None
    if not math.isfinite(value):
        return "not a number"
    if value < 0:
        return "negative"
    if value > MAX_WINDOW_DAYS:
        return "too large"
    return None


def forecast_date(today, lead_days, horizon_days=0):
    """The last day whose demand can trigger an order today."""
    return today + datetime.timedelta(days=int(lead_days) + int(horizon_days or 0))


def visibility_end(forecasted_date, visibility_days):
    """The last day whose demand is added to an order that is already due."""
    return forecasted_date + datetime.timedelta(days=int(visibility_days or 0))


def procurement_date(date, horizon_days):
    """Date given to the procurement: the horizon only widens the trigger window, the
    order keeps the dates it would have had without it."""
    return date - datetime.timedelta(days=int(horizon_days or 0))


def end_of_day(day):
    return datetime.datetime.combine(day, datetime.time.max)


def classify(date, forecasted_date, visibility_until):
    """Which part of the window a dated demand falls in."""
    day = date.date() if isinstance(date, datetime.datetime) else date
    if day <= forecasted_date:
        return WINDOW
    if day <= visibility_until:
        return VISIBILITY
    return AFTER


def compare(a, b, rounding):
    """-1, 0 or 1 like Odoo's ``float_compare`` with ``precision_rounding``."""
    delta = a - b
    # Odoo rounds the difference half-up to the rounding; a tiny epsilon absorbs the
    # binary representation of values such as 0.1.
    if abs(delta) < rounding / 2.0 - 1e-12 * max(1.0, abs(delta)):
        return 0
    return 1 if delta > 0 else -1


@dataclass
class QtyToOrder:
    """The to-order quantity of one rule, with every step that makes it."""

    forecast: float
    min_qty: float
    max_qty: float
    triggered: bool
    forecast_with_visibility: float
    visibility_added: float
    target: float
    base_qty: float
    multiple: float
    remainder: float
    rounding: str
    rounding_adjustment: float
    qty: float

    def as_dict(self):
        return asdict(self)


def qty_to_order(
    forecast, forecast_with_visibility, min_qty, max_qty, multiple, rounding=0.01
):
    """Odoo 18's ``_get_qty_to_order`` on plain numbers, with its steps.

    :param forecast: forecast at the end of the forecasted date (in progress included)
    :param forecast_with_visibility: forecast at the end of the visibility window
    :param rounding: the product UoM rounding
    """
    triggered = compare(forecast, min_qty, rounding) < 0
    target = max(min_qty, max_qty)
    base = remainder = adjustment = 0.0
    step = "none"
    qty = 0.0
    if triggered:
        base = target - forecast_with_visibility
        qty = base
        remainder = (multiple > 0.0 and qty % multiple) or 0.0
        if (
            compare(remainder, 0.0, rounding) > 0
            and compare(multiple - remainder, 0.0, rounding) > 0
        ):
            if compare(max_qty, 0.0, rounding) == 0:
                step = "up"
                adjustment = multiple - remainder
            else:
                step = "down"
                adjustment = -remainder
            qty += adjustment
        else:
            remainder = 0.0
    return QtyToOrder(
        forecast=forecast,
        min_qty=min_qty,
        max_qty=max_qty,
        triggered=triggered,
        forecast_with_visibility=forecast_with_visibility if triggered else forecast,
        visibility_added=(forecast - forecast_with_visibility) if triggered else 0.0,
        target=target,
        base_qty=base,
        multiple=multiple,
        remainder=remainder,
        rounding=step,
        rounding_adjustment=adjustment,
        qty=qty,
    )


def forecast_at(on_hand, moves, until):
    """Forecast of a location at the end of ``until`` (a date).

    :param moves: iterable of ``(datetime, signed quantity)``, incoming positive
    """
    limit = end_of_day(until)
    return on_hand + sum(qty for date, qty in moves if date <= limit)
