# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

SUPPLY_METHODS = [
    ("product", "Product's routes"),
    ("on_demand", "On demand"),
    ("stock", "From stock"),
]


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
        "On a line whose component is a kit, the kit's own lines decide. Empty "
        "means Product's routes (lines created while this module was not loaded).",
    )

    @api.constrains(
        "supply_method", "product_id", "bom_product_template_attribute_value_ids"
    )
    def _check_supply_method(self):
        lines = self.filtered(lambda line: line.supply_method == "on_demand")
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
            "to 'On demand' but cannot be replenished: %(problem)s",
            bom=self.bom_id.display_name,
            line=self._cascade_line_label(),
            product=self.product_id.display_name,
            problem=problem,
        )
