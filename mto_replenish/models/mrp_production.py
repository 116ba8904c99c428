# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import defaultdict

from odoo import Command, _, api, fields, models
from odoo.tools import float_compare, float_round

from ..tools.relay import collect, relay


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    # --- Per-order (0/0/1) replenishment: the ledger's traceability ----------
    per_order_sale_ids = fields.Many2many(
        "sale.order",
        "mto_per_order_production_sale_rel",
        "production_id",
        "sale_id",
        string="Per-order Sales Orders",
        compute="_compute_per_order_sale_ids",
        store=True,
        copy=False,
        readonly=True,
        groups="sales_team.group_sale_salesman",
        help="Sales orders whose demand made a per-order (0/0/1) reordering rule "
        "create or raise this order. The products are not reserved for them.",
    )
    allocation_ids = fields.One2many(
        "mto.replenishment.allocation",
        "production_id",
        string="Allocations",
        readonly=True,
        copy=False,
        help="Sales order lines this order was made for, with quantities.",
    )
    per_order_sale_count = fields.Integer(
        compute="_compute_per_order_sale_count",
        groups="sales_team.group_sale_salesman",
    )

    # --- Make-to-order cascade -----------------------------------------------
    cascade_replenishment_production_ids = fields.Many2many(
        "mrp.production",
        "mrp_production_cascade_replenishment_rel",
        "source_id",
        "production_id",
        string="Triggered Manufacturing Orders",
        copy=False,
        readonly=True,
        help="Manufacturing orders of reordering rules that this order's 'From "
        "stock' components triggered when it was confirmed.",
    )
    # The inverse of the link above: Odoo then finds the MOs to invalidate
    # when one is created from the cache (the new MO has no source), instead of
    # searching the relation for each computed field depending on it.
    cascade_replenishment_source_ids = fields.Many2many(
        "mrp.production",
        "mrp_production_cascade_replenishment_rel",
        "production_id",
        "source_id",
        string="Triggered By",
        copy=False,
        readonly=True,
        help="Manufacturing orders whose 'From stock' components triggered this "
        "order's reordering rule when they were confirmed.",
    )
    cascade_replenishment_purchase_line_ids = fields.Many2many(
        "purchase.order.line",
        "mrp_production_cascade_replenishment_pol_rel",
        "production_id",
        "purchase_line_id",
        string="Triggered Purchase Lines",
        copy=False,
        readonly=True,
        help="Purchase lines of reordering rules that this order's 'From stock' "
        "components triggered when it was confirmed.",
    )
    cascade_child_production_ids = fields.Many2many(
        "mrp.production",
        string="Cascade Sub-Orders",
        compute="_compute_cascade_children",
        recursive=True,
        help="Manufacturing orders made for this order, at every level below it.",
    )
    cascade_child_count = fields.Integer(compute="_compute_cascade_children")
    cascade_parent_production_ids = fields.Many2many(
        "mrp.production",
        string="Cascade Parent Orders",
        compute="_compute_cascade_parents",
        recursive=True,
        help="Manufacturing orders this order is made for, up to the top one.",
    )
    cascade_parent_count = fields.Integer(compute="_compute_cascade_parents")
    cascade_sale_order_id = fields.Many2one(
        "sale.order",
        string="Cascade Sales Order",
        compute="_compute_cascade_parents",
        help="The sales order at the top of this order's cascade.",
    )
    cascade_purchase_order_ids = fields.Many2many(
        "purchase.order",
        string="Cascade Purchases",
        compute="_compute_cascade_purchases",
        recursive=True,
        help="Purchases made for this order and its sub-orders, at every level.",
    )
    cascade_purchase_count = fields.Integer(compute="_compute_cascade_purchases")

    @api.depends(
        "move_raw_ids.created_production_id.cascade_child_production_ids",
        "move_raw_ids.move_orig_ids.created_production_id.cascade_child_production_ids",
        "cascade_replenishment_production_ids.cascade_child_production_ids",
    )
    def _compute_cascade_children(self):
        for production in self:
            children = production._cascade_descendants()[0]._filtered_access("read")
            production.cascade_child_production_ids = children
            production.cascade_child_count = len(children)

    @api.depends(
        "move_raw_ids.created_purchase_line_ids",
        "move_raw_ids.move_orig_ids.created_purchase_line_ids",
        "cascade_replenishment_purchase_line_ids",
        "move_raw_ids.created_production_id.cascade_purchase_order_ids",
        "move_raw_ids.move_orig_ids.created_production_id.cascade_purchase_order_ids",
        "cascade_replenishment_production_ids.cascade_purchase_order_ids",
    )
    def _compute_cascade_purchases(self):
        for production in self:
            lines = production._cascade_descendants()[1]
            # sudo: the orders of lines the user may not read, filtered next.
            orders = lines.sudo().order_id.sudo(False)._filtered_access("read")
            production.cascade_purchase_order_ids = orders
            production.cascade_purchase_count = len(orders)

    @api.depends(
        "move_dest_ids.raw_material_production_id.cascade_parent_production_ids",
        "move_dest_ids.move_dest_ids.raw_material_production_id"
        ".cascade_parent_production_ids",
        "procurement_group_id.sale_id",
        "sale_line_id",
    )
    def _compute_cascade_parents(self):
        for production in self:
            every_parent = production._cascade_ancestors()
            parents = every_parent._filtered_access("read")
            production.cascade_parent_production_ids = parents
            production.cascade_parent_count = len(parents)
            # sudo: the top MO's sales order, shown only if the user may read it.
            top = (
                (every_parent | production)
                .sudo()
                .filtered(lambda p: not p._cascade_parents())
            )
            sale = top.procurement_group_id.sale_id | top.sale_line_id.order_id
            production.cascade_sale_order_id = (
                sale[:1].sudo(False)._filtered_access("read")
            )

    def _cascade_children(self):
        """MOs and purchase lines one level below these MOs (batched)."""
        # sudo: the cascade walks moves and documents the user may not read;
        # the computes shown to the user keep only what they can read.
        moves = self.sudo().move_raw_ids
        moves |= moves.move_orig_ids
        return (
            moves.created_production_id
            | self.sudo().cascade_replenishment_production_ids,
            moves.created_purchase_line_ids
            | self.sudo().cascade_replenishment_purchase_line_ids,
        )

    def _cascade_parents(self):
        """MOs one level above these MOs (batched)."""
        # sudo: the cascade walks moves and documents the user may not read;
        # the computes shown to the user keep only what they can read.
        productions = self.sudo()
        moves = productions.move_dest_ids
        moves |= moves.move_dest_ids
        parents = moves.raw_material_production_id
        parents |= productions.cascade_replenishment_source_ids
        return parents - self

    def _cascade_descendants(self):
        """All MOs and purchase lines below, one batch per level."""
        # sudo: the cascade walks moves and documents the user may not read;
        # the computes shown to the user keep only what they can read.
        productions = self.env["mrp.production"].sudo()
        lines = self.env["purchase.order.line"].sudo()
        level = self
        while level:
            children, level_lines = level._cascade_children()
            lines |= level_lines
            level = children - productions - self
            productions |= level
        return productions.sudo(False), lines.sudo(False)

    def _cascade_ancestors(self):
        # sudo: the cascade walks moves and documents the user may not read;
        # the computes shown to the user keep only what they can read.
        productions = self.env["mrp.production"].sudo()
        level = self
        while level:
            level = level._cascade_parents() - productions - self
            productions |= level
        return productions.sudo(False)

    def _cascade_action(self, name):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "mrp.mrp_production_action"
        )
        action.update(
            {
                "name": name,
                "domain": [("id", "in", self.ids)],
                "context": {"create": False},
            }
        )
        return action

    def action_view_cascade_children(self):
        self.ensure_one()
        self.check_access("read")
        return self.cascade_child_production_ids._cascade_action(
            _("Made for %(production)s", production=self.name)
        )

    def action_view_cascade_parents(self):
        self.ensure_one()
        self.check_access("read")
        return self.cascade_parent_production_ids._cascade_action(
            _("%(production)s is made for", production=self.name)
        )

    def action_view_cascade_purchases(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("purchase.purchase_rfq")
        action.update(
            {
                "name": _("Purchases for %(production)s", production=self.name),
                "domain": [("id", "in", self.cascade_purchase_order_ids.ids)],
                "context": {"create": False},
            }
        )
        return action

    def write(self, vals):
        res = super().write(vals)
        if "date_start" in vals or "date_finished" in vals:
            self._mto_ready_slip()
        return res

    def _mto_ready_slip(self):
        """This MO was rescheduled: recompute the ready dates of the orders
        whose cascade contains it, in one batch (at the end of the open ready
        batch, if any: see sale_order_ready.ready_batch)."""
        if not self.env["sale.order"]._cascade_ready_defer(self):
            self._mto_ready_slip_orders()._cascade_ready_refresh(notify=True)

    def _mto_ready_slip_orders(self):
        return self.env["sale.order"]._cascade_orders_of_productions(self)

    def action_confirm(self):
        """Remember which reordering-rule orders the components taken from stock
        triggered, so the cascade stays reachable from the sales order."""
        candidates = self._cascade_replenishment_candidates()
        snapshot = self._cascade_replenishment_snapshot(candidates["orderpoints"])
        # The components' moves, confirmed below, trigger these same rules
        # (stock.move._trigger_scheduler): found once.
        res = super(
            MrpProduction,
            self.with_context(**relay(mto_trigger_candidates=candidates)),
        ).action_confirm()
        self._cascade_link_replenishments(snapshot)
        return res

    def _cascade_replenishment_candidates(self):
        """{"products", "companies": ids, "orderpoints"}: the automatic
        reordering rules of these MOs' components, as
        ``stock.move._trigger_scheduler`` finds them for the components'
        moves."""
        moves = self.move_raw_ids.filtered(lambda m: m.state != "cancel")
        products, companies = moves.product_id, self.company_id
        return {
            "products": frozenset(products.ids),
            "companies": frozenset(companies.ids),
            "orderpoints": self._cascade_replenishment_orderpoints(products),
        }

    def _cascade_replenishment_orderpoints(self, products=None):
        # sudo: confirming an MO triggers rules as superuser in Odoo too; the
        # rules, lines and MOs read here and below only serve to link them.
        if products is None:
            moves = self.move_raw_ids.filtered(lambda m: m.state != "cancel")
            products = moves.product_id
        if not products:
            return self.env["stock.warehouse.orderpoint"].sudo()
        return self.env["stock.move"]._mto_trigger_orderpoints(
            products, self.company_id
        )

    def _cascade_replenishment_snapshot(self, orderpoints=None):
        # sudo: see _cascade_replenishment_orderpoints.
        if orderpoints is None:
            orderpoints = self._cascade_replenishment_orderpoints()
        if not orderpoints:
            return None
        lines = (
            self.env["purchase.order.line"]
            .sudo()
            .search(
                [
                    ("orderpoint_id", "in", orderpoints.ids),
                    ("state", "in", ("draft", "sent", "to approve")),
                ]
            )
        )
        # sudo: the rules' MOs in every state the user may not read.
        productions = (
            self.env["mrp.production"]
            .sudo()
            .search(
                [
                    ("orderpoint_id", "in", orderpoints.ids),
                    ("state", "in", ("draft", "confirmed")),
                ]
            )
        )
        return {
            "orderpoints": orderpoints,
            "lines": {line.id: line.product_qty for line in lines},
            "productions": {p.id: p.product_qty for p in productions},
        }

    def _cascade_link_replenishments(self, snapshot):
        if not snapshot:
            return
        # sudo: see _cascade_replenishment_orderpoints; the links are written
        # on MOs the user just confirmed.
        orderpoints = snapshot["orderpoints"]
        lines = (
            self.env["purchase.order.line"]
            .sudo()
            .search(
                [
                    ("orderpoint_id", "in", orderpoints.ids),
                    ("state", "in", ("draft", "sent", "to approve")),
                ]
            )
            .filtered(
                lambda line: line.product_qty > snapshot["lines"].get(line.id, 0.0)
            )
        )
        # sudo: the rules' MOs in every state the user may not read.
        productions = (
            self.env["mrp.production"]
            .sudo()
            .search(
                [
                    ("orderpoint_id", "in", orderpoints.ids),
                    ("state", "in", ("draft", "confirmed")),
                ]
            )
            .filtered(lambda p: p.product_qty > snapshot["productions"].get(p.id, 0.0))
        ) - self
        # several MOs confirmed together: link to those needing the product
        # sudo: the links are the system's record of what confirmation caused.
        for production in self.sudo():
            products = production.move_raw_ids.product_id
            line_ids = [line.id for line in lines if line.product_id in products]
            mo_ids = [mo.id for mo in productions if mo.product_id in products]
            if line_ids or mo_ids:
                production.write(
                    {
                        "cascade_replenishment_purchase_line_ids": [
                            Command.link(i) for i in line_ids
                        ],
                        "cascade_replenishment_production_ids": [
                            Command.link(i) for i in mo_ids
                        ],
                    }
                )

    # --- Per-order (0/0/1) replenishment: the ledger's traceability ----------
    def _compute_per_order_sale_count(self):
        for production in self:
            production.per_order_sale_count = len(production.per_order_sale_ids)

    def action_view_per_order_sales(self):
        self.ensure_one()
        self.check_access("read")
        return self.per_order_sale_ids._per_order_action(
            _("Sales orders replenished by %(name)s", name=self.name)
        )

    @api.depends("allocation_ids.sale_order_id", "allocation_ids.kind")
    def _compute_per_order_sale_ids(self):
        for production in self:
            production.per_order_sale_ids = production.allocation_ids.filtered(
                lambda row: row.kind == "per_order"
            ).sale_order_id

    def _post_run_manufacture(self, post_production_values):
        """MOs just created by procurement: a scheduler batch counts them (see
        mto.scheduler.run.batch._mto_process)."""
        collect(self.env, self._name, [mo.orderpoint_id.id for mo in self])
        return super()._post_run_manufacture(post_production_values)

    def _mto_served_sale_lines(self):
        """{sales order line: quantity (this MO's product unit)} this MO serves:
        its own ledger rows (per-order, scheduler or cascade), else the sales
        order line it was made for through the make-to-order route. Read when
        its cascade children are created, to allocate them in turn."""
        self.ensure_one()
        # sudo: the ledger and the sales order lines are read to write the
        # cascade's rows, whoever's action confirmed this MO.
        production = self.sudo()
        served = defaultdict(float)
        for row in production.allocation_ids:
            served[row.sale_line_id] += row.quantity
        if served:
            return served
        if production.sale_line_id:
            served[production.sale_line_id] = production.product_uom_qty
            return served
        for move in production.move_finished_ids.move_dest_ids:
            if move.sale_line_id and move.state != "cancel":
                served[move.sale_line_id] += move.product_qty
        return served

    def _mto_is_started(self):
        """True once work began: something consumed or produced, a work order
        started, or the MO is past confirmed."""
        self.ensure_one()
        return (
            self.state not in ("draft", "confirmed")
            or self.qty_producing > 0
            or any(self.move_raw_ids.mapped("picked"))
            or any(wo.state in ("progress", "done") for wo in self.workorder_ids)
        )

    def _mto_reduce(self, allocations):
        """Take the quantity of ``allocations`` (rows of this MO made for a
        cancelled sales order) off this MO not started, or cancel it with its
        cascade when nothing is left. Returns (what was done, what was left
        because it started)."""
        self.ensure_one()
        qty = sum(allocations.mapped("quantity"))
        remaining = self.product_qty - self.product_id.uom_id._compute_quantity(
            qty, self.product_uom_id, round=False
        )
        allocations.unlink()
        rounding = self.product_uom_id.rounding
        if (
            float_compare(remaining, 0.0, precision_rounding=rounding) > 0
            and self.allocation_ids
        ):
            # (rounded up by the MO's unit: what other orders hold is never cut)
            remaining = float_round(
                remaining, precision_rounding=rounding, rounding_method="UP"
            )
            self.env["change.production.qty"].with_context(skip_activity=True).create(
                {"mo_id": self.id, "product_qty": remaining}
            ).change_prod_qty()
            done = _("%(mo)s reduced to %(qty)s", mo=self.name, qty=remaining)
            return [done], self.browse()
        return self._mto_cancel_tree()

    def _mto_cancel_tree(self):
        """Cancel this MO not started, the sub-orders made for it that have not
        started either, and the draft purchase lines that only served them.
        Returns what was done and the sub-orders left (started)."""
        self.ensure_one()
        children, lines = self._cascade_descendants()
        done, left = [], self.browse()
        for child in children.filtered(lambda mo: mo.state not in ("done", "cancel")):
            if child._mto_is_started():
                left |= child
                continue
            child.action_cancel()
            done.append(_("%s cancelled", child.name))
        self.action_cancel()
        done.insert(0, _("%s cancelled", self.name))
        cancelled = (self | children).filtered(lambda mo: mo.state == "cancel")
        for line in lines.exists():
            if line.order_id.state not in ("draft", "sent"):
                continue
            done.append(line._mto_reduce_for_productions(cancelled))
        return done, left
