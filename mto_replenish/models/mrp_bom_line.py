# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

SUPPLY_METHODS = [
    ("product", "Product's routes"),
    ("on_demand", "On demand"),
    ("stock", "From stock"),
    ("stock_else_on_demand", "From stock, else on demand"),
]

#: Supply methods whose component may be bought or made for the MO (checked by
#: the constraint and the confirmation preflight).
ORDERED_METHODS = ("on_demand", "stock_else_on_demand")


class MrpBomLine(models.Model):
    _inherit = "mrp.bom.line"

    supply_method = fields.Selection(
        SUPPLY_METHODS,
        default="product",
        help="How this component is supplied to a manufacturing order:\n"
        "- Product's routes: Odoo's behaviour, decided by the component's routes "
        "(make to order when it carries the Replenish on Order route).\n"
        "- On demand: bought or manufactured for this manufacturing order, through "
        "the component's own Buy or Manufacture route, and linked to it. A "
        "manufactured component applies its own BoM's settings in turn.\n"
        "- From stock: taken from stock kept up by reordering rules, even if the "
        "component carries the Replenish on Order route.\n"
        "- From stock, else on demand: what is free in the manufacturing order's "
        "source location is taken from stock; only the rest is bought or "
        "manufactured for this manufacturing order, as On demand.\n"
        "On a line whose component is a kit, the kit's own lines decide. Empty "
        "means Product's routes (lines created while this module was not loaded).",
    )

    @api.constrains(
        "supply_method", "product_id", "bom_product_template_attribute_value_ids"
    )
    def _check_supply_method(self):
        lines = self.filtered(lambda line: line.supply_method in ORDERED_METHODS)
        if not lines:
            return
        problems = {}
        for line in lines:
            # a line of some variants only is checked when one of them exists
            bom = line.bom_id
            variants = bom.product_id or bom.product_tmpl_id.product_variant_ids
            if variants and all(line._skip_bom_line(v) for v in variants):
                continue
            warehouse = line.bom_id._promise_warehouse()
            if warehouse not in problems:
                problems[warehouse] = lines.product_id._cascade_replenish_problems(
                    warehouse
                )
            problem = problems[warehouse].get(line.product_id.id)
            if problem:
                raise ValidationError(line._cascade_problem_message(problem))

    def action_promise_keep_in_stock(self):
        """Stocking advice: keep this component in stock. Creates an automatic
        reordering rule for it in the BoM's warehouse (unless one exists), on
        the route Odoo would replenish it with, for the quantity one unit of the
        BoM needs, and sets the line to 'From stock'."""
        self.check_access("write")
        Orderpoint = self.env["stock.warehouse.orderpoint"]
        rules = Orderpoint
        for line in self:
            warehouse = line.bom_id._promise_warehouse()
            component = line.product_id
            rule = Orderpoint.with_context(active_test=False).search(
                [
                    ("product_id", "=", component.id),
                    ("location_id", "=", warehouse.lot_stock_id.id),
                ],
                limit=1,
            )
            if not rule:
                kind = component._promise_replenish_kinds(warehouse)[component.id]
                if kind not in ("buy", "manufacture"):
                    raise UserError(
                        _(
                            "%(product)s cannot be kept in stock: give it the Buy "
                            "route and a vendor, or the Manufacture route and a bill "
                            "of materials.",
                            product=component.display_name,
                        )
                    )
                route = component._promise_supply_route(warehouse, kind)
                need = line.product_uom_id._compute_quantity(
                    line.product_qty / (line.bom_id.product_qty or 1.0),
                    component.uom_id,
                )
                rule = Orderpoint.create(
                    {
                        "product_id": component.id,
                        "warehouse_id": warehouse.id,
                        "location_id": warehouse.lot_stock_id.id,
                        "company_id": warehouse.company_id.id,
                        "route_id": route.id,
                        "trigger": "auto",
                        "product_min_qty": need,
                        "product_max_qty": need,
                    }
                )
            elif not rule.active:
                rule.active = True
            line.supply_method = "stock"
            rules |= rule
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stock.action_orderpoint"
        )
        action["domain"] = [("id", "in", rules.ids)]
        return action

    def _cascade_line_label(self):
        self.ensure_one()
        return _(
            "line %(sequence)s, %(qty)s %(uom)s %(product)s",
            sequence=self.sequence,
            qty=format(self.product_qty, "g"),
            uom=self.product_uom_id.name,
            product=self.product_id.display_name,
        )

    def _cascade_problem_message(self, problem):
        self.ensure_one()
        return _(
            "Bill of materials %(bom)s, %(line)s: the component %(product)s is set "
            "to '%(method)s' but cannot be replenished: %(problem)s",
            bom=self.bom_id.display_name,
            line=self._cascade_line_label(),
            product=self.product_id.display_name,
            method=dict(
                self._fields["supply_method"]._description_selection(self.env)
            ).get(self.supply_method, self.supply_method),
            problem=problem,
        )
