# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import defaultdict

from odoo import _, api, fields, models

from ..tools.relay import relay
from .product_product import PER_ORDER_RULE_VALUES


# One capability of reordering rules per file, on purpose (see README, Layout).
class StockWarehouseOrderpoint(models.Model):
    """Per-order (0/0/1) reordering rules: making, converting and naming them."""

    # pylint: disable=consider-merging-classes-inherited
    _inherit = "stock.warehouse.orderpoint"

    def action_convert_to_per_order(self):
        """Turn these rules into automatic 0/0/1 per-order rules and tick the
        per-order route on their products. Product by product: the rules of a
        product that cannot be replenished per order are left as they are and
        the product is listed with its reason. Selections larger than the
        company's scheduler batch size run in the background."""
        self.check_access("write")
        return self.env["mto.bulk.run"]._mto_bulk_start("convert_to_per_order", self)

    def _per_order_bulk_convert(self):
        """The work of ``action_convert_to_per_order``.

        :return: ({template: None or the reason it was refused}, summary,
            whether the summary asks for attention)
        """
        templates = self.product_id.product_tmpl_id
        # Converting is the fix for per-order rules that drifted from 0/0/1.
        conflicts = templates._per_order_get_conflicts(fixing_rules=self)
        outcome = {
            template: "\n".join(messages) for template, messages in conflicts.items()
        }
        outcome.update(
            self.env["mto.bulk.run"]._mto_bulk_apply(
                templates.filtered(lambda t: t not in conflicts),
                lambda todo: self.filtered(
                    lambda rule: rule.product_id.product_tmpl_id in todo
                )._per_order_convert_now(),
            )
        )
        return outcome, "", False

    def _per_order_convert_now(self):
        """Make these rules (of products free of conflicts) 0/0/1 and tick the
        per-order route on their products."""
        templates = self.product_id.product_tmpl_id
        self.with_context(active_test=False)._per_order_make_001()
        route = templates._per_order_default_route()
        templates.filtered(lambda t: not t._per_order_is_ticked()).with_context(
            **relay(per_order_skip_sync=True)
        ).write({"route_ids": [fields.Command.link(route.id)]})

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
            "Rules and use Convert to Per-order (0/0/1).",
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
        self.write(dict(PER_ORDER_RULE_VALUES))
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
