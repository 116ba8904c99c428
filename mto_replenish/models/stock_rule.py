# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import defaultdict

from odoo import SUPERUSER_ID, Command, api, models
from odoo.tools import float_compare

from ..tools.relay import relay


def per_order_sale_commands(values):
    """Values linking a new or raised RFQ line / MO to the sales orders of a
    per-order (0/0/1) procurement: {} when it has none."""
    if not values.get("per_order_sale_ids"):
        return {}
    return {
        "per_order_sale_ids": [
            Command.link(sale_id) for sale_id in values["per_order_sale_ids"]
        ]
    }


class StockRule(models.Model):
    _inherit = "stock.rule"

    def _update_purchase_order_line(
        self, product_id, product_qty, product_uom, company_id, values, line
    ):
        res = super()._update_purchase_order_line(
            product_id, product_qty, product_uom, company_id, values, line
        )
        res.update(per_order_sale_commands(values))
        return res

    def _prepare_mo_vals(
        self,
        product_id,
        product_qty,
        product_uom,
        location_dest_id,
        name,
        origin,
        company_id,
        values,
        bom,
    ):
        res = super()._prepare_mo_vals(
            product_id,
            product_qty,
            product_uom,
            location_dest_id,
            name,
            origin,
            company_id,
            values,
            bom,
        )
        res.update(per_order_sale_commands(values))
        return res

    @api.model
    def _run_manufacture(self, procurements):
        """Per-order procurements record their sales orders on the MO.

        Merged into an existing MO (Odoo's default), the sales orders are linked
        to that MO; with the company setting "One MO per sales order", an MO is
        only raised for the same sales orders, otherwise a new one is made.
        """
        native, separate = [], []
        link_sales = {}
        for procurement, rule in procurements:
            sale_ids = procurement.values.get("per_order_sale_ids")
            orderpoint = procurement.values.get("orderpoint_id")
            if sale_ids and procurement.company_id.per_order_mo_split:
                separate.append((procurement, rule))
                continue
            native.append((procurement, rule))
            if sale_ids and orderpoint:
                link_sales.setdefault(orderpoint.id, []).extend(sale_ids)
        if native:
            super(
                StockRule, self.with_context(**relay(per_order_link_sales=link_sales))
            )._run_manufacture(native)
        if separate:
            self._per_order_run_manufacture_separate(separate)
        return True

    @api.model
    def _per_order_run_manufacture_separate(self, procurements):
        """One MO per set of sales orders: raise the open MO of the same rule and
        sales orders if there is one, else create a new MO."""
        orderpoints = self.env["stock.warehouse.orderpoint"].concat(
            *[p.values["orderpoint_id"] for p, __ in procurements]
        )
        # sudo: procurement runs as superuser (as Odoo's _run_manufacture).
        open_productions = (
            self.env["mrp.production"]
            .sudo()
            .search(
                [
                    ("orderpoint_id", "in", orderpoints.ids),
                    ("state", "in", ("draft", "confirmed")),
                    ("is_planned", "=", False),
                ]
            )
        )
        by_key = {}
        for production in open_productions:
            key = (
                production.orderpoint_id.id,
                frozenset(production.per_order_sale_ids.ids),
            )
            by_key.setdefault(key, production)
        new_by_company = defaultdict(lambda: ([], []))
        for procurement, rule in procurements:
            rounding = procurement.product_uom.rounding
            if (
                float_compare(procurement.product_qty, 0, precision_rounding=rounding)
                <= 0
            ):
                continue
            key = (
                procurement.values["orderpoint_id"].id,
                frozenset(procurement.values["per_order_sale_ids"]),
            )
            production = by_key.get(key)
            if production:
                qty = production.product_uom_qty + procurement.product_qty
                # sudo: raising the MO is procurement's work, as superuser.
                self.env["change.production.qty"].sudo().with_context(
                    skip_activity=True
                ).create(
                    {
                        "mo_id": production.id,
                        "product_qty": production.product_id.uom_id._compute_quantity(
                            qty, production.product_uom_id
                        ),
                    }
                ).change_prod_qty()
                continue
            bom = rule._get_matching_bom(
                procurement.product_id, procurement.company_id, procurement.values
            )
            vals_list, procs = new_by_company[procurement.company_id.id]
            vals_list.append(rule._prepare_mo_vals(*procurement, bom))
            procs.append(procurement)
        for company_id, (vals_list, procs) in new_by_company.items():
            # sudo: Odoo's own _run_manufacture creates MOs the same way.
            productions = (
                self.env["mrp.production"]
                .with_user(SUPERUSER_ID)
                .sudo()
                .with_company(company_id)
                .create(vals_list)
            )
            productions._post_run_manufacture(procs)
        return True
