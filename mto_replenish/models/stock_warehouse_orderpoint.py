# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import hashlib
import logging
import random
import time
from collections import defaultdict
from datetime import timedelta

from psycopg2 import OperationalError, errorcodes

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.modules.registry import Registry
from odoo.tools import LazyTranslate, frozendict, html2plaintext, split_every

from ..tools import forecast as fc
from ..tools.relay import received, relay

_lt = LazyTranslate(__name__)
_logger = logging.getLogger(__name__)

#: Errors telling that another transaction holds or has just changed a rule.
CONCURRENCY_PGCODES = (
    errorcodes.LOCK_NOT_AVAILABLE,
    errorcodes.SERIALIZATION_FAILURE,
    errorcodes.DEADLOCK_DETECTED,
)
#: Tries of a deferred replenishment before it is left to the scheduler.
DEFERRED_TRIES = 50

#: Lead-day terms of the explanation, in the order they are listed.
LEAD_TERMS = (
    ("route_delay", _lt("Route delays")),
    ("vendor_lead_time", _lt("Vendor Lead Time")),
    ("purchase_security_lead_time", _lt("Purchase Security Lead Time")),
    ("days_to_purchase", _lt("Days to Purchase")),
    ("manufacturing_lead_time", _lt("Manufacturing Lead Time")),
    ("manufacturing_security_lead_time", _lt("Manufacturing Security Lead Time")),
    ("days_to_prepare_mo", _lt("Days to Supply Components")),
    ("other", _lt("Other delays")),
    ("global_horizon", _lt("Time Horizon (report)")),
    ("horizon", _lt("Horizon (rule)")),
)

#: Move states that count in Odoo's forecast (virtual_available).
FORECAST_MOVE_STATES = ("waiting", "confirmed", "partially_available", "assigned")


def _procure_in_new_transaction(dbname, uid, context, ids, company_id):
    """Replenish rules in a transaction of their own, waiting for their lock and
    starting again while a concurrent transaction gets in first."""
    registry = Registry(dbname)
    for attempt in range(1, DEFERRED_TRIES + 1):
        with registry.cursor() as cr:
            env = api.Environment(cr, uid, context)
            try:
                # sudo: procurement runs as superuser in Odoo too (stock.move
                # _trigger_scheduler); the rules were chosen by server code.
                orderpoints = env["stock.warehouse.orderpoint"].sudo().browse(ids)
                locked = orderpoints.exists()._mto_lock_for_procurement()
                locked.with_context(
                    **relay(mto_locked=True)
                )._procure_orderpoint_confirm(
                    company_id=company_id, raise_user_error=False
                )
                cr.commit()  # pylint: disable=invalid-commit
                return
            except OperationalError as error:
                cr.rollback()
                if error.pgcode not in CONCURRENCY_PGCODES:
                    raise
                time.sleep(random.uniform(0.0, min(0.05 * attempt, 1.0)))
    _logger.error(
        "Reordering rules %s could not be replenished after %d tries; the "
        "scheduler will order their need.",
        ids,
        DEFERRED_TRIES,
    )


def _demand_document(move):
    """The document a stock move serves: (model name, record)."""
    if "sale_line_id" in move._fields and move.sale_line_id:
        return "sale.order", move.sale_line_id.order_id
    if move.raw_material_production_id:
        return "mrp.production", move.raw_material_production_id
    if move.picking_id:
        return "stock.picking", move.picking_id
    return "stock.move", move


class StockWarehouseOrderpoint(models.Model):
    _inherit = "stock.warehouse.orderpoint"

    is_per_order = fields.Boolean(
        string="Per Order (0/0/1)",
        copy=False,
        index=True,
        help="Rule kept by a per-order route ticked on the product: an automatic "
        "0/0/1 rule that replenishes exactly what each confirmed sales order is "
        "missing, without reserving it for that order. Unticking the route "
        "archives it.",
    )

    horizon_days = fields.Integer(
        string="Horizon",
        compute="_compute_horizon_days",
        store=True,
        readonly=False,
        precompute=True,
        help="Days added to the lead days to set the forecasted date: demand due up "
        "to that date triggers an order now. The order keeps the dates it would "
        "have had without the horizon. Defaults to the company's Replenishment "
        "Horizon.",
    )
    mto_trigger_pending = fields.Boolean(
        string="Replenishment Queued",
        copy=False,
        index=True,
        readonly=True,
        help="A sales order touching more rules than the company's limit queued "
        "this rule; the background job replenishes it shortly.",
    )
    route_visibility_days = fields.Float(
        string="Visibility Days (other routes)",
        default=0.0,
        help="Visibility days of a rule whose route neither buys nor manufactures "
        "(e.g. resupply from another warehouse).",
    )

    # ------------------------------------------------------------------ computes
    @api.depends("company_id")
    def _compute_horizon_days(self):
        for orderpoint in self:
            if not orderpoint.horizon_days:
                orderpoint.horizon_days = orderpoint.company_id.horizon_days

    @api.depends("route_visibility_days", "rule_ids")
    def _compute_visibility_days(self):
        res = super()._compute_visibility_days()
        for orderpoint in self:
            if not orderpoint._mto_has_buy_or_manufacture():
                orderpoint.visibility_days = orderpoint.route_visibility_days
        return res

    def _set_visibility_days(self):
        res = super()._set_visibility_days()
        for orderpoint in self:
            if not orderpoint._mto_has_buy_or_manufacture():
                orderpoint.route_visibility_days = orderpoint.visibility_days
        return res

    def _mto_has_buy_or_manufacture(self):
        self.ensure_one()
        return bool({"buy", "manufacture"} & set(self.rule_ids.mapped("action")))

    def _compute_rules(self):
        """Same rules as Odoo, looked up once per distinct configuration.

        The rule chain of an orderpoint only depends on its location, its preferred
        route, its warehouse and the routes of its product and product category, so
        orderpoints sharing them share the lookup (Odoo does one per orderpoint).
        """
        todo = self.filtered(lambda op: op.product_id and op.location_id)
        cache = {}
        for orderpoint in todo:
            product = orderpoint.product_id
            key = (
                orderpoint.location_id.id,
                orderpoint.route_id.id,
                orderpoint.warehouse_id.id,
                frozenset(product.route_ids.ids),
                frozenset(product.categ_id.total_route_ids.ids),
            )
            if key not in cache:
                cache[key] = product._get_rules_from_location(
                    orderpoint.location_id, route_ids=orderpoint.route_id
                )
            orderpoint.rule_ids = cache[key]
        (self - todo).rule_ids = False

    @api.depends("horizon_days")
    def _compute_lead_days(self):
        """Odoo's lead days date plus the rule's horizon, with the BoMs needed by
        manufacture rules found in one batch instead of one search per rule."""
        todo = self.filtered(lambda op: op.product_id and op.location_id)
        today = fields.Date.today()
        for orderpoint, delays in todo._mto_lead_delays().items():
            orderpoint.lead_days_date = fc.forecast_date(
                today, delays["total_delay"], orderpoint.horizon_days
            )
        (self - todo).lead_days_date = False

    def _mto_lead_delays(self):
        """Odoo's lead-days delays of each orderpoint, without the rule horizon."""
        boms = self._mto_manufacture_boms()
        result = {}
        for orderpoint in self.with_context(bypass_delay_description=True):
            values = orderpoint._get_lead_days_values()
            if boms.get(orderpoint.id):
                values.setdefault("bom", boms[orderpoint.id])
            delays, __ = orderpoint.rule_ids._get_lead_days(
                orderpoint.product_id, **values
            )
            result[orderpoint] = delays
        return result

    def _mto_manufacture_boms(self):
        """{orderpoint id: BoM} for the orderpoints whose rules manufacture, found
        with one search per (operation type, company)."""
        groups = defaultdict(lambda: self.browse())
        for orderpoint in self:
            rule = orderpoint.rule_ids.filtered(lambda r: r.action == "manufacture")[:1]
            if rule:
                groups[(rule.picking_type_id, rule.company_id)] |= orderpoint
        boms = {}
        for (picking_type, company), orderpoints in groups.items():
            found = self.env["mrp.bom"]._bom_find(
                orderpoints.product_id, picking_type=picking_type, company_id=company.id
            )
            for orderpoint in orderpoints:
                boms[orderpoint.id] = found.get(orderpoint.product_id)
        return boms

    def _compute_qty_to_order_computed(self):
        """Odoo's formula, with the forecast over the visibility window read once
        per group of rules sharing a window instead of once per due rule."""
        todo = self.filtered(lambda op: op.product_id and op.location_id)
        for orderpoint, terms in todo._mto_qty_to_order_terms().items():
            orderpoint.qty_to_order_computed = terms.qty
        (self - todo).qty_to_order_computed = False

    def _mto_qty_to_order_terms(self, in_progress=None):
        """{orderpoint: tools.forecast.QtyToOrder} for orderpoints with a product
        and a location."""
        if in_progress is None:
            in_progress = self._quantity_in_progress()
        # Demand whose allocated supply comes after the window stays covered.
        late = self._mto_late_cover()
        due = self.filtered(
            lambda op: fc.compare(
                op.qty_forecast + late.get(op.id, (0.0, 0.0))[0],
                op.product_min_qty,
                op.product_uom.rounding,
            )
            < 0
        )
        with_visibility = due._mto_forecast_with_visibility(in_progress)
        result = {}
        for orderpoint in self:
            at_date, at_end = late.get(orderpoint.id, (0.0, 0.0))
            forecast = orderpoint.qty_forecast + at_date
            result[orderpoint] = fc.qty_to_order(
                forecast,
                with_visibility.get(orderpoint.id, forecast - at_end) + at_end,
                orderpoint.product_min_qty,
                orderpoint.product_max_qty,
                orderpoint.qty_multiple,
                orderpoint.product_uom.rounding,
            )
        return result

    def _mto_forecast_with_visibility(self, in_progress):
        """Forecast at the end of each rule's visibility window, quantities in
        progress included, one read per distinct (location, window end)."""
        groups = defaultdict(lambda: self.browse())
        for orderpoint in self:
            context = orderpoint._get_product_context(
                visibility_days=orderpoint.visibility_days
            )
            groups[frozendict(context)] |= orderpoint
        result = {}
        for context, orderpoints in groups.items():
            qty = {
                row["id"]: row["virtual_available"]
                for row in orderpoints.product_id.with_context(**context).read(
                    ["virtual_available"]
                )
            }
            for orderpoint in orderpoints:
                result[orderpoint.id] = qty[orderpoint.product_id.id] + in_progress.get(
                    orderpoint.id, 0.0
                )
        return result

    # ---------------------------------------------------------------- constraints
    @api.constrains(
        "horizon_days",
        "route_visibility_days",
        "purchase_visibility_days",
        "manufacturing_visibility_days",
    )
    def _check_window_days(self):
        labels = {
            "horizon_days": _("horizon"),
            "route_visibility_days": _("visibility days"),
            "purchase_visibility_days": _("visibility days"),
            "manufacturing_visibility_days": _("visibility days"),
        }
        for orderpoint in self:
            for fname, label in labels.items():
                value = orderpoint[fname]
                if fc.window_days_error(value):
                    raise ValidationError(
                        _(
                            "Reordering rule %(rule)s (%(product)s): the %(what)s must "
                            "be between 0 and %(max)s days, not %(value)s. Enter a "
                            "number of days in that range.",
                            rule=orderpoint.name,
                            product=orderpoint.product_id.display_name,
                            what=label,
                            max=fc.MAX_WINDOW_DAYS,
                            value=value,
                        )
                    )

    # --------------------------------------------------------------- procurement
    def _get_orderpoint_procurement_date(self):
        """The horizon only widens the trigger window: the order keeps the dates
        it would have had without it (as Odoo does for the report's Horizon)."""
        date = super()._get_orderpoint_procurement_date()
        return date - timedelta(days=self.horizon_days or 0)

    # ------------------------------------------------------- per order (0/0/1)
    def action_convert_to_per_order(self):
        """Turn these rules into automatic 0/0/1 per-order rules and tick the
        per-order route on their products. Works on many rules; refuses, listing
        every offending product, when one cannot be replenished per order."""
        self.check_access("write")
        templates = self.product_id.product_tmpl_id
        # Converting is the fix for per-order rules that drifted from 0/0/1.
        conflicts = templates._per_order_get_conflicts(fixing_rules=self)
        if conflicts:
            raise UserError(
                _(
                    "No rule was converted. Fix these products first:\n%(list)s",
                    list=templates._per_order_format_conflicts(conflicts),
                )
            )
        self.with_context(active_test=False)._per_order_make_001()
        route = templates._per_order_default_route()
        templates.filtered(lambda t: not t._per_order_is_ticked()).with_context(
            **relay(per_order_skip_sync=True)
        ).write({"route_ids": [fields.Command.link(route.id)]})
        return True

    def _per_order_is_001(self):
        self.ensure_one()
        rounding = self.product_uom.rounding or 0.01
        return (
            abs(self.product_min_qty) < rounding
            and abs(self.product_max_qty) < rounding
            and abs(self.qty_multiple - 1.0) < rounding
        )

    def _per_order_is_report_generated(self):
        """Manual rules the replenishment report created (as the superuser):
        Odoo itself deletes them when they have nothing to order."""
        self.ensure_one()
        return self.trigger == "manual" and self.create_uid.id == api.SUPERUSER_ID

    def _per_order_hand_made_message(self):
        self.ensure_one()
        return _(
            "%(product)s: the rule %(rule)s in warehouse %(warehouse)s (%(location)s, "
            "min %(min)s, max %(max)s) was made by hand and is left alone. To "
            "replenish per order in that warehouse, select the rule in Reordering "
            "Rules and use Convert to 0/0/1.",
            product=self.product_id.display_name,
            rule=self.name,
            warehouse=self.warehouse_id.display_name,
            location=self.location_id.display_name,
            min=self.product_min_qty,
            max=self.product_max_qty,
        )

    def _per_order_make_001(self):
        """Write the 0/0/1 per-order values (min and max together, see Odoo's
        min/max compute) and a replenishment route on rules that have none."""
        if not self:
            return
        self.filtered("snoozed_until").write({"snoozed_until": False})
        self.write(
            {
                "is_per_order": True,
                "active": True,
                "trigger": "auto",
                "product_min_qty": 0.0,
                "product_max_qty": 0.0,
                "qty_multiple": 1.0,
            }
        )
        by_route = defaultdict(lambda: self.browse())
        for rule in self.filtered(lambda r: not r.route_id):
            route = rule.product_id.product_tmpl_id._per_order_supply_route(
                rule.warehouse_id
            )
            by_route[route] |= rule
        for route, rules in by_route.items():
            if route:
                rules.write({"route_id": route.id})

    @api.model
    def _per_order_next_names(self, count):
        """``count`` names from the reordering-rule sequence, drawn in one query
        when the sequence allows it (False: let the default draw them)."""
        sequence = self.env["ir.sequence"].search(
            [
                ("code", "=", "stock.orderpoint"),
                ("company_id", "in", [self.env.company.id, False]),
            ],
            order="company_id",
            limit=1,
        )
        if (
            not sequence
            or sequence.implementation != "standard"
            or sequence.use_date_range
        ):
            return [False] * count
        self.env.cr.execute(
            "SELECT nextval(%s) FROM generate_series(1, %s)",
            (f"ir_sequence_{sequence.id:03d}", count),
        )
        return [sequence.get_next_char(row[0]) for row in self.env.cr.fetchall()]

    def _procure_orderpoint_confirm(
        self, use_new_cursor=False, company_id=None, raise_user_error=True
    ):
        if received(self.env.context, "mto_orderpoints_done"):
            # The scheduler already processed the rules in committed batches.
            return {}
        if not use_new_cursor and not received(self.env.context, "mto_locked"):
            # Concurrent transactions never replenish the same rule from
            # snapshots that miss each other's orders: a rule busy elsewhere is
            # replenished right after this transaction commits (see
            # _mto_lock_for_procurement).
            locked = self._mto_lock_for_procurement(nowait=True)
            (self - locked)._mto_defer_procurement(company_id)
            self = locked
        # What each rule orders is allocated to the demand it covers, in the
        # ledger, by the procurement that creates or raises the supply.
        self = self.with_context(**relay(mto_allocations_by_op=self._mto_allocations()))
        return super()._procure_orderpoint_confirm(
            use_new_cursor=use_new_cursor,
            company_id=company_id,
            raise_user_error=raise_user_error,
        )

    # ---------------------------------------------------------------- explanation
    def explain_replenishment(self):
        """Explain the to-order quantity of each rule, term by term.

        Public and callable over RPC on many rules at once. Returns
        ``{rule id: dict}``, JSON-serialisable, with the lead-day terms, the
        forecasted date, the forecast there, the min/max test, the visibility window
        and what it added, the multiple's rounding, the resulting quantity, and the
        demand documents inside the window, inside the visibility window and after
        it. The number of SQL queries does not grow with the number of rules that
        share a configuration.
        """
        self.check_access("read")
        orderpoints = self.filtered(lambda op: op.product_id and op.location_id)
        today = fields.Date.today()
        delays = orderpoints._mto_lead_delays()
        in_progress = orderpoints._quantity_in_progress()
        terms = orderpoints._mto_qty_to_order_terms(in_progress)
        moves = orderpoints._mto_forecast_moves()
        result = {}
        for orderpoint in orderpoints:
            lead_terms = orderpoint._mto_lead_terms(delays[orderpoint])
            forecasted = orderpoint.lead_days_date
            visibility_until = fc.visibility_end(forecasted, orderpoint.visibility_days)
            qty = terms[orderpoint]
            result[orderpoint.id] = {
                "rule": {
                    "id": orderpoint.id,
                    "name": orderpoint.name,
                    "product": orderpoint.product_id.display_name,
                    "product_id": orderpoint.product_id.id,
                    "location": orderpoint.location_id.display_name,
                    "trigger": orderpoint.trigger,
                    "route": orderpoint.route_id.display_name or False,
                    "uom": orderpoint.product_uom.name,
                },
                "today": fields.Date.to_string(today),
                "lead_days": lead_terms,
                "lead_days_total": sum(t["days"] for t in lead_terms),
                "horizon_days": orderpoint.horizon_days,
                "forecasted_date": fields.Date.to_string(forecasted),
                "on_hand": orderpoint.qty_on_hand,
                "in_progress": in_progress.get(orderpoint.id, 0.0),
                "forecast": orderpoint.qty_forecast,
                "min_qty": orderpoint.product_min_qty,
                "max_qty": orderpoint.product_max_qty,
                "triggered": qty.triggered,
                "visibility_days": orderpoint.visibility_days,
                "visibility_end": fields.Date.to_string(visibility_until),
                "forecast_with_visibility": qty.forecast_with_visibility,
                "visibility_added": qty.visibility_added,
                "target": qty.target,
                "base_qty": qty.base_qty,
                "multiple": qty.multiple,
                "rounding": qty.rounding,
                "remainder": qty.remainder,
                "rounding_adjustment": qty.rounding_adjustment,
                "qty_to_order_computed": qty.qty,
                "qty_to_order_manual": orderpoint.qty_to_order_manual,
                "qty_to_order": orderpoint.qty_to_order_manual or qty.qty,
                "demand": orderpoint._mto_demand_documents(
                    moves.get(orderpoint.id, []), forecasted, visibility_until
                ),
            }
        return result

    def _mto_lead_terms(self, delays):
        """Split Odoo's total delay into named terms (days)."""
        self.ensure_one()
        actions = set(self.rule_ids.mapped("action"))
        company = self.company_id
        days = dict.fromkeys((key for key, __ in LEAD_TERMS), 0)
        days["route_delay"] = sum(
            self.rule_ids.filtered(lambda r: r.action in ("pull", "pull_push")).mapped(
                "delay"
            )
        )
        seller = self.supplier_id or self.product_id.with_company(
            company
        )._select_seller(quantity=None)
        if "buy" in actions and seller:
            days["vendor_lead_time"] = delays.get("purchase_delay", 0)
            days["purchase_security_lead_time"] = company.po_lead
            days["days_to_purchase"] = company.days_to_purchase
        if "manufacture" in actions:
            days["manufacturing_lead_time"] = delays.get("manufacture_delay", 0)
            days["manufacturing_security_lead_time"] = company.manufacturing_lead
            days["days_to_prepare_mo"] = self.days_to_order
        days["global_horizon"] = int(self.env.context.get("global_visibility_days", 0))
        known = sum(days.values())
        days["other"] = delays.get("total_delay", 0) - known
        days["horizon"] = self.horizon_days
        lang = self.env.lang or "en_US"
        return [
            {"key": key, "label": label._translate(lang), "days": days[key]}
            for key, label in LEAD_TERMS
            if days[key] or key == "horizon"
        ]

    def _mto_forecast_moves(self):
        """Moves that make the forecast of each rule, read in one batch.

        Returns {orderpoint id: [(stock.move, signed quantity in product UoM)]},
        negative for moves leaving the rule's location tree (demand).
        """
        if not self:
            return {}
        locations = self.env["stock.location"].search(
            [("id", "child_of", self.location_id.ids)]
        )
        moves = self.env["stock.move"].search(
            [
                ("product_id", "in", self.product_id.ids),
                ("state", "in", FORECAST_MOVE_STATES),
                "|",
                ("location_id", "in", locations.ids),
                ("location_dest_id", "in", locations.ids),
            ],
            order="date, id",
        )
        by_product = defaultdict(list)
        for move in moves:
            by_product[move.product_id.id].append(move)
        result = defaultdict(list)
        for orderpoint in self:
            root = orderpoint.location_id.parent_path
            for move in by_product[orderpoint.product_id.id]:
                inside_src = move.location_id.parent_path.startswith(root)
                inside_dest = move.location_dest_id.parent_path.startswith(root)
                if inside_src == inside_dest:
                    continue
                sign = 1 if inside_dest else -1
                result[orderpoint.id].append((move, sign * move.product_qty))
        return result

    def _mto_demand_documents(self, moves, forecasted, visibility_until):
        """Group the demand (outgoing moves) by document and window part."""
        buckets = {fc.WINDOW: {}, fc.VISIBILITY: {}, fc.AFTER: {}}
        for move, qty in moves:
            if qty >= 0:
                continue
            part = fc.classify(move.date, forecasted, visibility_until)
            model, record = _demand_document(move)
            key = (model, record.id)
            entry = buckets[part].setdefault(
                key,
                {
                    "model": model,
                    "id": record.id,
                    "name": record.display_name,
                    "date": fields.Date.to_string(move.date.date()),
                    "qty": 0.0,
                },
            )
            entry["qty"] += -qty
        return {part: list(docs.values()) for part, docs in buckets.items()}

    def action_mto_explain_replenishment(self):
        """Open the explanation of this rule's to-order quantity."""
        self.ensure_one()
        self.check_access("read")
        wizard = self.env["mto.replenishment.explanation"].create(
            {"orderpoint_id": self.id}
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Why this quantity?"),
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
            "context": self.env.context,
        }

    # ---------------------------------------------------------------- concurrency
    def _mto_lock_for_procurement(self, skip_locked=False, nowait=False):
        """Lock the rules' rows in id order and mark them as updated by this
        transaction; return the rules locked.

        Under PostgreSQL's repeatable read, a transaction that waited for another
        one's lock would still compute the rule's need from a snapshot missing the
        other one's RFQ line or MO, and order it twice. So:

        - ``nowait`` (sales confirmation): the lock is tried inside a savepoint
          and given up at once when the rule is held by another transaction, or
          was updated by one that committed after this transaction began; such
          rules are replenished after this transaction commits, in a fresh one
          (``_mto_defer_procurement``). No serialization error reaches the user.
        - ``skip_locked`` (scheduler batches): rules held elsewhere are skipped;
          the transaction holding them orders their need.
        - neither: wait for the lock (a fresh transaction, whose snapshot starts
          with this statement).
        """
        if not self.ids:
            return self
        query = (
            "SELECT id FROM stock_warehouse_orderpoint WHERE id IN %s "
            "ORDER BY id FOR UPDATE"
        )
        if skip_locked:
            query += " SKIP LOCKED"
        elif nowait:
            query += " NOWAIT"
        locked_ids = []
        if nowait:
            # All rules in one statement first (3 queries, not 3 per rule); only
            # when one of them is busy, rule by rule to lock the others.
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(query, [tuple(self.ids)])
                    locked_ids = [row[0] for row in self.env.cr.fetchall()]
            except OperationalError as error:
                if error.pgcode not in CONCURRENCY_PGCODES:
                    raise
            for orderpoint in self.sorted("id") if not locked_ids else ():
                try:
                    with self.env.cr.savepoint(flush=False):
                        self.env.cr.execute(query, [(orderpoint.id,)])
                        locked_ids.append(orderpoint.id)
                except OperationalError as error:
                    if error.pgcode not in CONCURRENCY_PGCODES:
                        raise
        else:
            self.env.cr.execute(query, [tuple(self.ids)])
            locked_ids = [row[0] for row in self.env.cr.fetchall()]
        if locked_ids:
            self.env.cr.execute(
                "UPDATE stock_warehouse_orderpoint SET write_date = write_date "
                "WHERE id IN %s",
                [tuple(locked_ids)],
            )
        locked = set(locked_ids)
        return self.filtered(lambda op: op.id in locked)

    def _mto_defer_procurement(self, company_id=None):
        """Replenish these rules right after the current transaction commits."""
        if not self:
            return
        dbname = self.env.cr.dbname
        uid = self.env.uid
        ids = self.ids
        company = company_id.id if hasattr(company_id, "id") else company_id
        context = {
            key: value
            for key, value in self.env.context.items()
            if key in ("lang", "tz", "allowed_company_ids")
        }

        def replenish():
            _procure_in_new_transaction(dbname, uid, context, ids, company)

        self.env.cr.postcommit.add(replenish)

    def _mto_procurement_failures(self):
        """[(rule, reason)] for rules that still need an order after procurement:
        the reason is the warning Odoo logged on the product."""
        if not self:
            return []
        warning = self.env.ref("mail.mail_activity_data_warning")
        notes = {}
        # sudo: only the notes of Odoo's own procurement warnings on these
        # rules' products are read, for the run's failure list.
        for activity in (
            self.env["mail.activity"]
            .sudo()
            .search_read(
                [
                    ("res_model", "=", "product.template"),
                    ("res_id", "in", self.product_id.product_tmpl_id.ids),
                    ("activity_type_id", "=", warning.id),
                ],
                ["res_id", "note"],
                order="id desc",
            )
        ):
            notes.setdefault(activity["res_id"], html2plaintext(activity["note"] or ""))
        return [
            (
                rule,
                notes.get(rule.product_id.product_tmpl_id.id)
                or _("Nothing could be ordered for this rule."),
            )
            for rule in self
        ]

    # ------------------------------------------------------------ queued work
    def _mto_queue_procurement(self, sale_orders):
        """Replenish these rules in the background instead of in the current
        transaction (a sales order touching more rules than the company's
        limit), and tell the sales orders' followers."""
        if not self:
            return
        if "queue.job" in self.env:
            digest = hashlib.sha1(",".join(map(str, sorted(self.ids))).encode())
            # sudo: the job replenishes the rules as Odoo's procurement does (as
            # superuser), whoever confirmed the order.
            self.sudo().with_delay(
                identity_key=f"mto_replenish.trigger:{digest.hexdigest()}",
                description=_("Replenish %s reordering rules", len(self)),
            )._mto_procure_queued()
        else:
            # sudo: a salesperson confirming the order cannot write rules nor
            # trigger crons; only this flag and the wake-up are written.
            self.sudo().write({"mto_trigger_pending": True})
            self.env.ref("mto_replenish.ir_cron_procure_pending").sudo()._trigger()
        for order in sale_orders:
            order.message_post(
                body=_(
                    "This order needs %(count)s reordering rules replenished, more "
                    "than the %(limit)s done at confirmation: their replenishment "
                    "was queued and runs in the background in a moment.",
                    count=len(self),
                    limit=order.company_id.mto_trigger_sync_limit,
                )
            )

    def _mto_procure_queued(self):
        """Replenish rules queued by a sales order (a job, or the cron)."""
        locked = self.exists()._mto_lock_for_procurement()
        for company, orderpoints in locked.grouped("company_id").items():
            orderpoints.with_company(company).with_context(
                **relay(mto_locked=True)
            )._procure_orderpoint_confirm(company_id=company, raise_user_error=False)
        locked.filtered("mto_trigger_pending").write({"mto_trigger_pending": False})

    @api.model
    def _mto_cron_procure_pending(self, batch_size=500, use_new_cursor=True):
        """Scheduled action: replenish the queued rules in committed batches."""
        # sudo: a scheduled action (run by the superuser) over every company's
        # queued rules, as Odoo's own scheduler.
        pending = self.sudo().search([("mto_trigger_pending", "=", True)])
        for ids in split_every(batch_size, pending.ids):
            if not use_new_cursor:
                pending.browse(ids)._mto_procure_queued()
                continue
            with self.env.registry.cursor() as cr:
                env = self.env(cr=cr, su=True)
                batch = env["stock.warehouse.orderpoint"].browse(ids)
                batch._mto_procure_queued()
                cr.commit()  # pylint: disable=invalid-commit
