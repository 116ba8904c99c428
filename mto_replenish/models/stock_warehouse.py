# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, models


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    @api.model_create_multi
    def create(self, vals_list):
        # Odoo creates the warehouse's locations, routes and rules in super().
        warehouses = super().create(vals_list)
        warehouses._per_order_sync_rules()
        return warehouses

    def write(self, vals):
        if "active" not in vals:
            return super().write(vals)
        warehouses = self.with_context(active_test=False)
        if vals["active"]:
            unarchived = warehouses.filtered(lambda w: not w.active)
        else:
            unarchived = warehouses.browse()
            # Before Odoo archives the warehouse's locations and rules, so that no
            # active per-order rule is left on an archived location.
            warehouses._per_order_archive_rules()
        res = super().write(vals)
        # After super(): Odoo has reactivated the warehouse's locations and rules.
        unarchived._per_order_sync_rules()
        return res

    def _per_order_sync_rules(self):
        """Create (or reactivate) in these warehouses the 0/0/1 rules of every
        product whose per-order route is ticked and that the warehouse's company
        may use (product without company, or of that company), in one batch.

        Returns the report of ``product.product._per_order_sync_rules``.
        """
        warehouses = self.filtered("active")
        if not warehouses:
            return None
        # sudo: the per-order route is a product setting, so every warehouse gets
        # the rules of all the products its company may use, including products
        # the acting user cannot read in its current companies.
        products = (
            self.env["product.product"]
            .sudo()
            .search(
                [
                    ("route_ids.is_per_order", "=", True),
                    ("company_id", "in", [False, *warehouses.company_id.ids]),
                ]
            )
        )
        return products._per_order_sync_rules(warehouses=warehouses)

    def _per_order_archive_rules(self):
        """Archive the per-order (0/0/1) rules of these warehouses."""
        # sudo: the rules belong to the warehouses being archived by the user; they
        # are kept by the product setting, not by hand, whatever the user's
        # companies.
        rules = (
            self.env["stock.warehouse.orderpoint"]
            .sudo()
            .search(
                [
                    ("warehouse_id", "in", self.ids),
                    ("is_per_order", "=", True),
                    ("active", "=", True),
                ]
            )
        )
        rules.write({"active": False})
        return rules

    def _promise_has_route_delays(self):
        """Whether a rule this warehouse can use has a delay: without one, the
        promise looks up no route (one query instead of a walk per product)."""
        self.ensure_one()
        # sudo: only whether such a rule exists is read, nothing is returned;
        # the promise is shown to users who may not read the rules
        return bool(
            self.env["stock.rule"]
            .sudo()
            .search_count(
                [
                    ("delay", "!=", 0),
                    "|",
                    ("warehouse_id", "=", self.id),
                    ("warehouse_id", "=", False),
                ],
                limit=1,
            )
        )
