# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import defaultdict

from odoo import api, models
from odoo.tools import float_compare, float_round

from ..tools.relay import received


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

        An on-demand move whose make-to-order rule is found gets both its
        procure method and its rule from its BoM line, whatever Odoo's search
        would find: Odoo's rule search is skipped for it, and the rule is looked
        up once per warehouse and pair of locations.
        """
        on_demand = self.filtered(lambda m: m._mto_supply_method() == "on_demand")
        rules = on_demand._cascade_mto_rules()
        decided = on_demand.filtered(lambda m: m.id in rules)
        res = super(StockMove, self - decided)._adjust_procure_method(
            picking_type_code=picking_type_code
        )
        for move in decided:
            move.procure_method = "make_to_order"
            move.rule_id = rules[move.id]
        for move in self - decided:
            method = move._mto_supply_method()
            if method == "on_demand":
                move.procure_method = "make_to_order"
            elif method in ("stock", "stock_else_on_demand"):
                # stock, else on demand: split when the MO's moves are confirmed
                move.procure_method = "make_to_stock"
                if move.rule_id.procure_method in ("make_to_order", "mts_else_mto"):
                    move.rule_id = False
        return res

    def _mto_supply_method(self):
        """The supply method of this component move's own BoM line, or False
        (not a component of an MO, a kit's line, or "as the product says")."""
        self.ensure_one()
        line = self.bom_line_id
        if (
            not line
            or not self.raw_material_production_id
            or (line.supply_method or "product") == "product"
            or self.product_id != line.product_id
        ):
            return False
        return line.supply_method

    def _action_confirm(self, merge=True, merge_into=False):
        """Split the components set to "From stock, else on demand" before
        confirming: the ordered part is confirmed (and procured) with the rest."""
        ordered = self._mto_split_stock_else_on_demand()
        return super(StockMove, self | ordered)._action_confirm(
            merge=merge, merge_into=merge_into
        )

    def _mto_stock_else_on_demand_moves(self):
        """Draft component moves of an MO whose BoM line says "From stock, else
        on demand" (a kit's components follow the kit's own lines)."""
        return self.filtered(
            lambda m: m.state == "draft"
            and m.raw_material_production_id
            and m.bom_line_id.supply_method == "stock_else_on_demand"
            and m.product_id == m.bom_line_id.product_id
            and m.product_id.is_storable
            and not m.move_orig_ids
        )

    def _mto_split_stock_else_on_demand(self):
        """Take what is free in each move's source location from stock and
        order only the remainder for the MO: the move keeps the quantity taken
        from stock (make to stock), a new move of the same line carries the
        remainder (make to order, procured through the component's own route
        like "On demand"); with nothing free the whole move is ordered. The
        free quantity is not reserved elsewhere, is shared by the moves
        confirmed together and is rounded down by the move's unit.
        Returns the new moves."""
        moves = self._mto_stock_else_on_demand_moves()
        if not moves:
            return self.browse()
        free = moves._mto_free_quantities()
        new_vals = []
        for move in moves:
            key = (move.location_id.id, move.product_id.id)
            taken = move._mto_stock_part(free[key])
            free[key] -= move.product_uom._compute_quantity(
                taken, move.product_id.uom_id, round=False
            )
            rounding = move.product_uom.rounding
            rest = move.product_uom_qty - taken
            if float_compare(rest, 0, precision_rounding=rounding) <= 0:
                continue
            if float_compare(taken, 0, precision_rounding=rounding) <= 0:
                move._mto_order_for_production()
                continue
            new_vals.append(move._mto_prepare_ordered_part(rest))
            move.product_uom_qty = taken
        ordered = self.create(new_vals)
        for move in ordered:
            move._mto_order_for_production()
        return ordered

    def _mto_free_quantities(self):
        """{(location id, product id): free quantity in the product's unit}."""
        free = {}
        for location, moves in self.grouped("location_id").items():
            for product in moves.product_id.with_context(location=location.id):
                free[(location.id, product.id)] = max(product.free_qty, 0.0)
        return free

    def _mto_stock_part(self, free_qty):
        """The part of this move (in its unit) the free quantity covers,
        rounded down by the move's unit."""
        self.ensure_one()
        free = self.product_id.uom_id._compute_quantity(
            free_qty, self.product_uom, round=False
        )
        free = float_round(
            free, precision_rounding=self.product_uom.rounding, rounding_method="DOWN"
        )
        return min(self.product_uom_qty, max(free, 0.0))

    def _mto_prepare_ordered_part(self, qty):
        """Values of the move ordering ``qty`` (move's unit) for the MO."""
        self.ensure_one()
        return self.copy_data(
            {
                "product_uom_qty": qty,
                "procure_method": "make_to_order",
                "move_orig_ids": [],
                "move_dest_ids": [],
            }
        )[0]

    def _mto_order_for_production(self):
        """Buy or make this component move for its MO (as "On demand")."""
        self.ensure_one()
        self.procure_method = "make_to_order"
        rule = self._cascade_mto_rule()
        if rule:
            self.rule_id = rule

    def _trigger_scheduler(self):
        """Replenish the automatic reordering rules these moves draw from, found
        with one search for all the moves (Odoo searches one rule per move).

        The rule of a move is the first automatic rule (in Odoo's order) of the
        move's product and company whose location contains the move's source and
        not its destination, as in Odoo. Rules are then replenished in one batch
        per company, in this transaction; above the company's limit
        (``mto_trigger_sync_limit``) they are queued for the background and the
        sales orders say so. What the rules order is allocated to the demand it
        covers (see stock.warehouse.orderpoint._mto_allocations).
        """
        # sudo: reads Odoo's own switch, as Odoo's _trigger_scheduler does.
        if not self or (
            self.env["ir.config_parameter"].sudo().get_param("stock.no_auto_scheduler")
        ):
            return
        # sudo: replenishment is the system's work, whoever confirmed the moves
        # (a salesperson has no purchase or manufacturing rights, and Odoo's
        # own procurement buys and manufactures as superuser); the rules are
        # those of the moves' own products and companies.
        Orderpoint = self.env["stock.warehouse.orderpoint"].sudo()
        candidates = Orderpoint.browse(self._mto_trigger_candidates().ids)
        by_key = defaultdict(list)
        for orderpoint in candidates:
            by_key[(orderpoint.product_id.id, orderpoint.company_id.id)].append(
                orderpoint
            )
        orderpoints_by_company = defaultdict(lambda: Orderpoint)
        origins_by_company = defaultdict(dict)
        for move in self:
            source = move.location_id.parent_path or ""
            destination = move.location_dest_id.parent_path or ""
            orderpoint = next(
                (
                    op
                    for op in by_key[(move.product_id.id, move.company_id.id)]
                    if source.startswith(op.location_id.parent_path)
                    and not destination.startswith(op.location_id.parent_path)
                ),
                None,
            )
            if not orderpoint:
                continue
            company = orderpoint.company_id
            orderpoints_by_company[company] |= orderpoint
            if move.product_qty > orderpoint.product_min_qty and move.origin:
                origins_by_company[company].setdefault(orderpoint.id, []).append(
                    move.origin
                )
        for company, orderpoints in orderpoints_by_company.items():
            limit = company.mto_trigger_sync_limit
            if limit and len(orderpoints) > limit:
                orderpoints._mto_queue_procurement(self._mto_sale_orders())
                continue
            orderpoints.with_context(
                origins=origins_by_company[company]
            )._procure_orderpoint_confirm(company_id=company, raise_user_error=False)

    def _mto_trigger_candidates(self):
        """The automatic reordering rules of these moves' products and
        companies (as the system, see ``_trigger_scheduler``), from those the
        confirming MOs found for their components when they cover them."""
        known = received(self.env.context, "mto_trigger_candidates")
        products, companies = self.product_id, self.company_id
        if (
            known
            and set(products.ids) <= known["products"]
            and set(companies.ids) <= known["companies"]
        ):
            return known["orderpoints"].filtered(
                lambda op: op.product_id in products and op.company_id in companies
            )
        return self._mto_trigger_orderpoints(products, companies)

    @api.model
    def _mto_trigger_orderpoints(self, products, companies):
        """The automatic reordering rules of ``products`` in ``companies``, in
        their order (as the system: replenishment is the system's work)."""
        # sudo: see _trigger_scheduler.
        return (
            self.env["stock.warehouse.orderpoint"]
            .sudo()
            .search(
                [
                    ("product_id", "in", products.ids),
                    ("trigger", "=", "auto"),
                    ("company_id", "in", companies.ids),
                ]
            )
        )

    def _mto_sale_orders(self):
        if "sale_line_id" not in self._fields:
            return self.env["sale.order"]
        return self.sale_line_id.order_id

    def _cascade_mto_rule(self):
        """The make-to-order rule between the move's locations, looked up in the
        warehouse's MTO route even when that route is archived (its rules stay
        active)."""
        self.ensure_one()
        route, warehouse = self._cascade_mto_route()
        if not route:
            return self.env["stock.rule"]
        return self.env["procurement.group"]._search_rule(
            route,
            self.product_packaging_id,
            self.product_id,
            warehouse,
            self._cascade_mto_rule_domain(),
        )

    def _cascade_mto_route(self):
        """(the warehouse's MTO route, the warehouse) of this move."""
        warehouse = self.warehouse_id or self.location_id.warehouse_id
        return warehouse.mto_pull_id.route_id, warehouse

    def _cascade_mto_rule_domain(self):
        return [
            ("location_src_id", "=", self.location_id.id),
            ("location_dest_id", "=", self.location_dest_id.id),
            ("action", "!=", "push"),
            ("procure_method", "=", "make_to_order"),
        ]

    def _cascade_mto_rules(self):
        """{move id: rule} of ``_cascade_mto_rule`` for these moves (those with
        a rule), searched once per route, warehouse and pair of locations: the
        route's rule does not depend on the product; a move whose route has no
        such rule falls back on ``_cascade_mto_rule`` (packaging and product
        routes)."""
        groups = defaultdict(list)
        for move in self:
            route, warehouse = move._cascade_mto_route()
            if route:
                key = (route, warehouse, move.location_id, move.location_dest_id)
                groups[key].append(move)
        rules = {}
        for (route, warehouse, __, __), moves in groups.items():
            domain = moves[0]._cascade_mto_rule_domain()
            if warehouse:
                domain = [
                    "|",
                    ("warehouse_id", "=", warehouse.id),
                    ("warehouse_id", "=", False),
                ] + domain
            rule = self.env["procurement.group"]._search_rule(
                route,
                self.env["product.packaging"],
                self.env["product.product"],
                self.env["stock.warehouse"],
                domain,
            )
            for move in moves:
                found = rule or move._cascade_mto_rule()
                if found:
                    rules[move.id] = found
        return rules
