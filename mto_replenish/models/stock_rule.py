# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import defaultdict

from odoo import SUPERUSER_ID, Command, api, models
from odoo.tools import float_compare

from ..tools import batch
from ..tools.relay import relay


def allocation_commands(env, values, cascade=None):
    """Values writing a procurement's allocations on the supply it creates or
    raises: {} when it has none. ``cascade`` is (product, quantity, unit,
    company) of a procurement that may be made for a parent MO's components:
    its cascade rows are written too."""
    Allocation = env["mto.replenishment.allocation"]
    commands = Allocation._mto_commands(values)
    if cascade:
        commands += [
            Command.create(row)
            for row in Allocation._mto_cascade_rows(*cascade, values)
        ]
    return {"allocation_ids": commands} if commands else {}


def link_key(product, picking_type, company):
    """The key of the allocations relayed (``mto_link_allocations``) for the
    existing MO that Odoo raises for a procurement: its product, operation type
    and company, as Odoo's search for that MO."""
    return (product.id, picking_type.id, company.id)


def allocated_sale_ids(values):
    """The sales order lines a procurement's allocations serve (ids)."""
    return frozenset(row["sale_line_id"] for row in values.get("mto_allocations", ()))


class StockRule(models.Model):
    _inherit = "stock.rule"

    @api.model
    def _run_buy(self, procurements):
        """Odoo's purchase, with what it reads for each line read once for all
        of them first (see ``_mto_prefetch_buy``)."""
        self._mto_prefetch_buy(procurements)
        res = super()._run_buy(procurements)
        # The new lines' analytic distribution is computed now, with the memo
        # relayed for the procurement (see procurement.group
        # _mto_with_batch_memo), rather than at the caller's next flush without.
        self.env["purchase.order.line"]._recompute_model(["analytic_distribution"])
        return res

    @api.model
    def _mto_prefetch_buy(self, procurements):
        """Read in one query per field what Odoo's line preparation reads product
        by product: it names each line in a context of its own, without
        prefetching, so each product's variant values would cost a query."""
        products = self.env["product.product"].union(
            *(procurement.product_id for procurement, _rule in procurements)
        )
        # sudo: Odoo names purchase lines as superuser (product display name);
        # this only loads the same values into the cache.
        products = products.sudo()
        products.fetch(["product_template_attribute_value_ids"])
        # Each line's description is the product's name and purchase
        # description in its vendor's language, read by Odoo for that product
        # alone (one computation of each per line): computed here for all the
        # products in each language their vendors speak.
        langs = set(products.seller_ids.partner_id.mapped("lang"))
        for lang in langs:
            batch.compute_all(
                products.with_context(lang=lang), "name", "description_purchase"
            )

    def _update_purchase_order_line(
        self, product_id, product_qty, product_uom, company_id, values, line
    ):
        res = super()._update_purchase_order_line(
            product_id, product_qty, product_uom, company_id, values, line
        )
        res.update(
            allocation_commands(
                self.env, values, (product_id, product_qty, product_uom, company_id)
            )
        )
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
        res.update(
            allocation_commands(
                self.env, values, (product_id, product_qty, product_uom, company_id)
            )
        )
        return res

    @api.model
    def _run_manufacture(self, procurements):
        """Procurements of reordering rules record their allocations on the MO.

        Merged into an existing MO (Odoo's default), the allocations are written
        on that MO; with the company setting "One MO per sales order", an MO of
        a per-order rule is only raised for the same sales order lines,
        otherwise a new one is made.
        """
        native, separate = [], []
        link = {}
        for procurement, rule in procurements:
            values = procurement.values
            orderpoint = values.get("orderpoint_id")
            if (
                orderpoint
                and orderpoint.is_per_order
                and allocated_sale_ids(values)
                and procurement.company_id.per_order_mo_split
            ):
                separate.append((procurement, rule))
                continue
            native.append((procurement, rule))
            rows = [
                *values.get("mto_allocations", ()),
                *self.env["mto.replenishment.allocation"]._mto_cascade_rows(
                    procurement.product_id,
                    procurement.product_qty,
                    procurement.product_uom,
                    procurement.company_id,
                    values,
                ),
            ]
            if rows:
                # Odoo raises an MO of the rule's operation type and company
                # only (one per warehouse): the rows go to that MO alone.
                key = link_key(
                    procurement.product_id, rule.picking_type_id, procurement.company_id
                )
                link.setdefault(key, []).extend(rows)
        if native:
            super(
                StockRule, self.with_context(**relay(mto_link_allocations=link))
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
                frozenset(production.allocation_ids.sale_line_id.ids),
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
                allocated_sale_ids(procurement.values),
            )
            production = by_key.get(key)
            if production:
                qty = production.product_uom_qty + procurement.product_qty
                # sudo: raising the MO is procurement's work, as superuser.
                self.env["change.production.qty"].sudo().with_context(
                    skip_activity=True,
                    **relay(
                        mto_link_allocations={
                            link_key(
                                production.product_id,
                                production.picking_type_id,
                                production.company_id,
                            ): procurement.values["mto_allocations"]
                        }
                    ),
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
