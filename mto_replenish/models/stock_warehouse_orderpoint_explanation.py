# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import defaultdict

from odoo import _, fields, models
from odoo.tools import LazyTranslate, frozendict

from ..tools import forecast as fc
from ..tools.batch import compute_all, fetch_all

_lt = LazyTranslate(__name__)

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


def _demand_document(move):
    """The document a stock move serves: (model name, record)."""
    if "sale_line_id" in move._fields and move.sale_line_id:
        return "sale.order", move.sale_line_id.order_id
    if move.raw_material_production_id:
        return "mrp.production", move.raw_material_production_id
    if move.picking_id:
        return "stock.picking", move.picking_id
    return "stock.move", move


# One capability of reordering rules per file, on purpose (see README, Layout).
class StockWarehouseOrderpoint(models.Model):
    """The to-order quantity of reordering rules explained term by term."""

    # pylint: disable=consider-merging-classes-inherited
    _inherit = "stock.warehouse.orderpoint"

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
        # Read first: the record rules checked next read the rules' fields.
        fetch_all(self).check_access("read")
        orderpoints = self.filtered(lambda op: op.product_id and op.location_id)
        orderpoints._mto_explain_prefetch()
        today = fields.Date.today()
        delays = orderpoints._mto_lead_delays()
        in_progress = orderpoints._quantity_in_progress()
        terms = orderpoints._mto_qty_to_order_terms(in_progress)
        moves = orderpoints._mto_forecast_moves()
        orderpoints._mto_prefetch_documents(moves)
        result = {}
        for orderpoint in orderpoints:
            lead_terms = orderpoint._mto_lead_terms(delays[orderpoint])
            forecasted = orderpoint.lead_days_date
            visibility_until = fc.visibility_end(forecasted, orderpoint.visibility_days)
            qty = terms[orderpoint]
            # Through Odoo's hook _get_qty_to_order: other addons' overrides
            # of it count, as in the report and when the rule orders.
            computed = orderpoint.qty_to_order_computed
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
                "qty_to_order_computed": computed,
                "qty_to_order_manual": orderpoint.qty_to_order_manual,
                "qty_to_order": orderpoint.qty_to_order_manual or computed,
                "demand": orderpoint._mto_demand_documents(
                    moves.get(orderpoint.id, []), forecasted, visibility_until
                ),
            }
        return result

    def _mto_explain_prefetch(self):
        """Read what the explanation needs of these rules and their products, and
        compute the rules' computed fields, once for all the rules: the number of
        queries does not grow by 1,000 rules (see tools.batch)."""
        for records in (self.location_id, self.warehouse_id, self.company_id):
            fetch_all(records)
        products = fetch_all(
            self.product_id, "variant_bom_ids", "product_template_attribute_value_ids"
        )
        templates = fetch_all(
            products.product_tmpl_id, "route_ids", "seller_ids", "bom_ids"
        )
        fetch_all(templates.uom_id)
        fetch_all(fetch_all(templates.seller_ids).partner_id)
        compute_all(products, "display_name")
        compute_all(self, "rule_ids", "days_to_order", "visibility_days")
        compute_all(self, "lead_days_date")
        self._mto_compute_product_quantities()
        compute_all(self, "qty_forecast", "qty_to_order_computed")

    def _mto_compute_product_quantities(self):
        """The quantities of the rules' products in each context Odoo reads them
        in for the rules' forecast, one computation per context."""
        product_ids = defaultdict(dict)
        for orderpoint in self:
            context = frozendict(orderpoint._get_product_context())
            product_ids[context][orderpoint.product_id.id] = True
        products = self.env["product.product"]
        for context, ids in product_ids.items():
            # The context replaced, not merged, as Odoo's _compute_qty does: the
            # values are cached under the same key (e.g. no allowed_company_ids).
            records = products.browse(list(ids))
            # pylint: disable-next=context-overridden
            compute_all(records.with_context(context), "qty_available")

    def _mto_prefetch_documents(self, moves_by_rule):
        """Read the demand moves of ``_mto_forecast_moves`` and the display names
        of their documents, once for all the rules."""
        demand = {
            move.id: True
            for rule_moves in moves_by_rule.values()
            for move, qty in rule_moves
            if qty < 0
        }
        moves = self.env["stock.move"].browse(list(demand))
        fetch_all(moves)
        if "sale_line_id" in moves._fields:
            fetch_all(moves.sale_line_id)
        ids = defaultdict(dict)
        for move in moves:
            model, record = _demand_document(move)
            ids[model][record.id] = True
        for model, record_ids in ids.items():
            compute_all(
                fetch_all(self.env[model].browse(list(record_ids))), "display_name"
            )

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
