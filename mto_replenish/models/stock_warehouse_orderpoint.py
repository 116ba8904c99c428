# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import frozendict

from ..tools import forecast as fc
from ..tools.batch import compute_all, search_at_once
from ..tools.relay import received, relay
from .decimal_precision import precisions_memoised

#: Move states that count in Odoo's forecast (virtual_available).
FORECAST_MOVE_STATES = ("waiting", "confirmed", "partially_available", "assigned")


class StockWarehouseOrderpoint(models.Model):
    _inherit = "stock.warehouse.orderpoint"

    is_per_order = fields.Boolean(
        string="Per Order (0/0/1)",
        copy=False,
        index=True,
        help="Rule kept by a per-order route ticked on the product: an automatic "
        "per-order (0/0/1) rule that replenishes exactly what each confirmed sales "
        "order is missing, without reserving it for that order. Unticking the route "
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
        groups = defaultdict(list)
        for orderpoint in todo:
            # The template's own fields: the variant's are related copies,
            # computed record by record.
            template = orderpoint.product_id.product_tmpl_id
            key = (
                orderpoint.location_id.id,
                orderpoint.route_id.id,
                orderpoint.warehouse_id.id,
                frozenset(template.route_ids.ids),
                frozenset(template.categ_id.total_route_ids.ids),
            )
            groups[key].append(orderpoint)
        for records in groups.values():
            # One lookup per group, not per orderpoint, for its first product
            # alone (not the related fields of the other products).
            first = records[0]
            rules = first.product_id.with_prefetch()._get_rules_from_location(
                first.location_id, route_ids=first.route_id
            )
            # One assignment for the group.
            self.browse([orderpoint.id for orderpoint in records]).rule_ids = rules
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
        """Odoo's lead-days delays of each orderpoint, without the rule horizon:
        added up once for the batch from plain values while Odoo's own
        ``stock.rule._get_lead_days`` is the method (see
        ``_mto_lead_delays_plain``), else each rule's ``_get_lead_days``."""
        boms = self._mto_manufacture_boms()
        orderpoints = self.with_context(bypass_delay_description=True)
        values_by_op = {}
        for orderpoint in orderpoints:
            values = orderpoint._get_lead_days_values()
            if boms.get(orderpoint.id):
                values.setdefault("bom", boms[orderpoint.id])
            values_by_op[orderpoint] = values
        parts = self._mto_lead_days_parts()
        if parts is not None:
            return orderpoints._mto_lead_delays_plain(values_by_op, parts)
        return {
            orderpoint: orderpoint.rule_ids._get_lead_days(
                orderpoint.product_id, **values
            )[0]
            for orderpoint, values in values_by_op.items()
        }

    def _mto_manufacture_boms(self):
        """{orderpoint id: BoM} for the orderpoints whose rules manufacture, found
        with one search per (operation type, company)."""
        groups = defaultdict(list)
        manufacture = {}  # the manufacture rule of each distinct set of rules
        for orderpoint in self:
            rules = orderpoint.rule_ids
            if rules._ids not in manufacture:
                manufacture[rules._ids] = rules.filtered(
                    lambda r: r.action == "manufacture"
                )[:1]
            rule = manufacture[rules._ids]
            if rule:
                groups[(rule.picking_type_id, rule.company_id)].append(orderpoint.id)
        boms = {}
        for (picking_type, company), ids in groups.items():
            orderpoints = self.browse(ids)
            found = self.env["mrp.bom"]._bom_find(
                orderpoints.product_id, picking_type=picking_type, company_id=company.id
            )
            for orderpoint in orderpoints:
                boms[orderpoint.id] = found.get(orderpoint.product_id)
        return boms

    def _compute_qty_to_order_computed(self):
        """Odoo's quantity through its hook ``_get_qty_to_order`` (other addons'
        overrides of it apply), with what the hook reads prepared once per batch:
        the quantities in progress, the ledger's late cover and the forecast over
        each visibility window (one read per group of rules sharing a window)."""
        todo = self.filtered(lambda op: op.product_id and op.location_id)
        prepared = todo._mto_prepare_qty_to_order()
        in_progress = received(prepared.env.context, "mto_qty_prepared")["in_progress"]
        for orderpoint in todo:
            orderpoint.qty_to_order_computed = orderpoint.with_env(
                prepared.env
            )._get_qty_to_order(qty_in_progress_by_orderpoint=in_progress)
        (self - todo).qty_to_order_computed = False

    def _mto_prepare_qty_to_order(self):
        """These rules in an environment that relays what ``_get_qty_to_order``
        reads for each of them, read here in one batch; the virtual availability
        at the end of each due rule's window is read into the cache."""
        in_progress = self._quantity_in_progress()
        scope = received(self.env.context, "mto_qty_scope")
        if scope is not None:
            # The rules are about to order: the demand their orders will be
            # allocated to is read with the ledger.
            rows, moves = self._mto_open_ledger_rows(with_moves=True)
        else:
            rows, moves = self._mto_open_ledger_rows(), None
        late = self._mto_late_cover(rows=rows)
        batch = {
            "ids": frozenset(self.ids),
            "in_progress": in_progress,
            "late": late,
            "rows": rows,
            "moves": moves,
        }
        # The forecast (Odoo's, quantities in progress included) from the
        # batch too.
        prepared = self.with_context(**relay(mto_qty_prepared=batch))
        due = prepared._mto_due(late)
        due._mto_forecast_with_visibility(in_progress)
        if scope is not None:
            scope["prepared"] = batch
        return prepared

    def _mto_scope_prepared(self):
        """The batch that ``_mto_prepare_qty_to_order`` read for these rules in
        the open procurement scope (see ``_procure_orderpoint_confirm``), or
        None: nothing was written between them, so it still holds."""
        scope = received(self.env.context, "mto_qty_scope") or {}
        batch = scope.get("prepared")
        if batch and set(self.ids) <= batch["ids"]:
            return batch
        return None

    def _mto_due(self, late):
        """The rules whose forecast, demand covered late counted as covered, is
        under their minimum."""
        return self.filtered(
            lambda op: fc.compare(
                op.qty_forecast + late.get(op.id, (0.0, 0.0))[0],
                op.product_min_qty,
                op.product_uom.rounding,
            )
            < 0
        )

    def _get_qty_to_order(
        self, force_visibility_days=False, qty_in_progress_by_orderpoint=None
    ):
        """Odoo's quantity, demand whose allocated supply arrives after the
        window counted as covered (see ``_mto_late_cover``): it is added to the
        forecast at the forecasted date (trigger) and, like supply in progress,
        to the forecast at the window's end."""
        self.ensure_one()
        at_date, at_end = self._mto_late_cover_of(force_visibility_days)
        if at_date or at_end:
            if self not in self._mto_due({self.id: (at_date, at_end)}):
                return 0.0
            in_progress = dict(
                qty_in_progress_by_orderpoint or self._quantity_in_progress()
            )
            in_progress[self.id] = in_progress.get(self.id, 0.0) + at_end
            qty_in_progress_by_orderpoint = in_progress
        return super()._get_qty_to_order(
            force_visibility_days=force_visibility_days,
            qty_in_progress_by_orderpoint=qty_in_progress_by_orderpoint or {},
        )

    def _mto_late_cover_of(self, force_visibility_days=False):
        """(at forecast date, at window end) of ``_mto_late_cover`` for this
        rule, from the batch prepared by ``_mto_prepare_qty_to_order`` when
        there is one."""
        self.ensure_one()
        prepared = received(self.env.context, "mto_qty_prepared")
        if force_visibility_days is False and prepared and self.id in prepared["ids"]:
            return prepared["late"].get(self.id, (0.0, 0.0))
        late = self._mto_late_cover(visibility_days=force_visibility_days)
        return late.get(self.id, (0.0, 0.0))

    def _quantity_in_progress(self):
        prepared = received(self.env.context, "mto_qty_prepared")
        if prepared and self and set(self.ids) <= prepared["ids"]:
            # Read once for the batch by _mto_prepare_qty_to_order.
            return {op_id: prepared["in_progress"][op_id] for op_id in self.ids}
        return super()._quantity_in_progress()

    def _mto_qty_to_order_terms(self, in_progress=None):
        """{orderpoint: tools.forecast.QtyToOrder} for orderpoints with a product
        and a location."""
        if in_progress is None:
            in_progress = self._quantity_in_progress()
        # Demand whose allocated supply comes after the window stays covered.
        late = self._mto_late_cover()
        due = self._mto_due(late)
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
        progress included, one computation per distinct (location, window end)
        whatever the number of rules."""
        groups = defaultdict(list)
        for orderpoint in self:
            context = orderpoint._get_product_context(
                visibility_days=orderpoint.visibility_days
            )
            groups[frozendict(context)].append(orderpoint.id)
        result = {}
        for context, ids in groups.items():
            orderpoints = self.browse(ids)
            products = orderpoints.product_id.with_context(**context)
            self._mto_cache_product_quantities(products)
            qty = {
                row["id"]: row["virtual_available"]
                for row in compute_all(products, "virtual_available").read(
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

    def _procure_orderpoint_confirm(
        self, use_new_cursor=False, company_id=None, raise_user_error=True
    ):
        if received(self.env.context, "mto_orderpoints_done"):
            # The scheduler already processed the rules in committed batches.
            return {}
        # Until the procurements run, what the quantities to order are computed
        # from is kept for the allocations (see _mto_scope_prepared). Lookups
        # (rules, vendors, BoMs) are made once per distinct question for the
        # whole batch, from the quantities to the procurements.
        memo = received(self.env.context, "mto_batch_memo")
        self = self.with_context(
            **relay(mto_qty_scope={}, mto_batch_memo={} if memo is None else memo)
        )
        if not use_new_cursor and not received(self.env.context, "mto_locked"):
            # Concurrent transactions never replenish the same rule from
            # snapshots that miss each other's orders: a rule busy elsewhere is
            # replenished right after this transaction commits (see
            # _mto_lock_for_procurement).
            # Likewise for the draft RFQ of a vendor: concurrent transactions in
            # other processes would each create one (see _mto_lock_vendor_keys).
            free = self._mto_lock_nowait()
            (self - free)._mto_defer_procurement(company_id)
            self = free
        else:
            self._mto_lock_vendor_keys()
        # What each rule orders is allocated to the demand it covers, in the
        # ledger, by the procurement that creates or raises the supply.
        self = self.with_context(
            **relay(mto_allocations_by_op=self._mto_allocations()),
            mto_qty_scope=None,
        )
        # The new lines and MOs are flushed at the end of Odoo's savepoint, in
        # environments without the memo: the cursor's memo answers there.
        with precisions_memoised(
            self.env, received(self.env.context, "mto_batch_memo")
        ):
            return super()._procure_orderpoint_confirm(
                use_new_cursor=use_new_cursor,
                company_id=company_id,
                raise_user_error=raise_user_error,
            )

    def _mto_forecast_moves_query(self):
        """The search (a query) of the moves that make the forecast of these
        rules, in date order: those of their products in a forecast state that
        enter or leave their locations (with the locations below them)."""
        # The rules' locations and their children, as a subquery of the search.
        locations = self.env["stock.location"]._search(
            [("id", "child_of", self.location_id.ids)]
        )
        return self.env["stock.move"]._search(
            [
                ("product_id", "in", self.product_id.ids),
                ("state", "in", FORECAST_MOVE_STATES),
                "|",
                ("location_id", "in", locations),
                ("location_dest_id", "in", locations),
            ],
            order="date, id",
        )

    def _mto_forecast_moves_search(self):
        """The moves of ``_mto_forecast_moves_query``."""
        Move = self.env["stock.move"]
        return search_at_once(Move, self._mto_forecast_moves_query())[0]

    def _mto_forecast_moves(self, moves=None):
        """Moves that make the forecast of each rule, read in one batch
        (``moves``: those of ``_mto_forecast_moves_query`` of these rules, or of
        more, when already searched).

        Returns {orderpoint id: [(stock.move, signed quantity in product UoM)]},
        negative for moves leaving the rule's location tree (demand).
        """
        if not self:
            return {}
        if moves is None:
            moves = self._mto_forecast_moves_search()
        # One query per table whatever the number of moves.
        moves.fetch(["product_id", "product_qty", "location_id", "location_dest_id"])
        (moves.location_id | moves.location_dest_id).fetch(["parent_path"])
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
