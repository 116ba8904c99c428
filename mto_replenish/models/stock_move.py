# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _adjust_procure_method(self, picking_type_code=False):
        """Apply the BoM line's supply method to the component moves of an MO.

        Odoo decides per component product (its routes); a BoM line set to
        "On demand" forces make-to-order (the component is bought or manufactured
        for this MO through its own routes) and "From stock" forces make-to-stock.
        Component moves exploded from a kit carry the kit's own BoM line, so the
        kit's lines decide for them. Moves outside an MO (e.g. a kit sold and
        exploded on a delivery) keep Odoo's behaviour.
        """
        res = super()._adjust_procure_method(picking_type_code=picking_type_code)
        for move in self:
            line = move.bom_line_id
            if (
                not line
                or not move.raw_material_production_id
                or (line.supply_method or "product") == "product"
                or move.product_id != line.product_id
            ):
                continue
            if line.supply_method == "on_demand":
                move.procure_method = "make_to_order"
                rule = move._cascade_mto_rule()
                if rule:
                    move.rule_id = rule
            elif line.supply_method == "stock":
                move.procure_method = "make_to_stock"
                if move.rule_id.procure_method in ("make_to_order", "mts_else_mto"):
                    move.rule_id = False
        return res

    def _trigger_scheduler(self):
        """Tell the per-order (0/0/1) rules about to fire which sales orders
        triggered them, so their RFQ line or MO records it (no reservation)."""
        sales = {}
        for move in self:
            if "sale_line_id" in move._fields and move.sale_line_id:
                ids = sales.setdefault(move.product_id.id, [])
                if move.sale_line_id.order_id.id not in ids:
                    ids.append(move.sale_line_id.order_id.id)
        return super(
            StockMove, self.with_context(per_order_trigger_sales=sales)
        )._trigger_scheduler()

    def _cascade_mto_rule(self):
        """The make-to-order rule between the move's locations, looked up in the
        warehouse's MTO route even when that route is archived (its rules stay
        active)."""
        self.ensure_one()
        warehouse = self.warehouse_id or self.location_id.warehouse_id
        route = warehouse.mto_pull_id.route_id
        if not route:
            return self.env["stock.rule"]
        return self.env["procurement.group"]._search_rule(
            route,
            self.product_packaging_id,
            self.product_id,
            warehouse,
            [
                ("location_src_id", "=", self.location_id.id),
                ("location_dest_id", "=", self.location_dest_id.id),
                ("action", "!=", "push"),
                ("procure_method", "=", "make_to_order"),
            ],
        )
