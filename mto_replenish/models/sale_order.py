# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).


from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools import promise as promise_tools
from .mrp_bom_line import ORDERED_METHODS


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # --- Per-order (0/0/1) replenishment: the ledger's traceability ----------
    per_order_purchase_line_ids = fields.Many2many(
        "purchase.order.line",
        string="Per-order Purchase Lines",
        compute="_compute_per_order_supply",
        groups="purchase.group_purchase_user",
        help="RFQ lines that per-order (0/0/1) reordering rules created or raised "
        "for this order. Nothing is reserved for it.",
    )
    per_order_production_ids = fields.Many2many(
        "mrp.production",
        string="Per-order Manufacturing Orders",
        compute="_compute_per_order_supply",
        groups="mrp.group_mrp_user",
        help="Manufacturing orders that per-order (0/0/1) reordering rules created "
        "or raised for this order. Nothing is reserved for it.",
    )
    allocation_ids = fields.One2many(
        "mto.replenishment.allocation",
        "sale_order_id",
        string="Replenishment Allocations",
        readonly=True,
        copy=False,
        help="Supply bought or made for this order's lines, with quantities.",
    )
    per_order_purchase_count = fields.Integer(
        compute="_compute_per_order_counts", groups="purchase.group_purchase_user"
    )
    per_order_production_count = fields.Integer(
        compute="_compute_per_order_counts", groups="mrp.group_mrp_user"
    )

    mto_cancel_warning = fields.Text(
        string="Replenishment Left After Cancellation",
        copy=False,
        readonly=True,
        # names of internal documents: not for the customer's portal
        groups="base.group_user",
        help="Replenishment made for this order that was already confirmed when "
        "the order was cancelled: it was left alone and needs a decision.",
    )

    # --- Make-to-order cascade -----------------------------------------------
    cascade_production_ids = fields.Many2many(
        "mrp.production",
        string="Cascade Manufacturing Orders",
        compute="_compute_cascade_productions",
        groups="mrp.group_mrp_user",
        help="Every manufacturing order made for this order, at every level of the "
        "bills of materials.",
    )
    cascade_production_count = fields.Integer(
        compute="_compute_cascade_productions", groups="mrp.group_mrp_user"
    )
    cascade_purchase_line_ids = fields.Many2many(
        "purchase.order.line",
        string="Cascade Purchase Lines",
        compute="_compute_cascade_purchases",
        groups="purchase.group_purchase_user",
    )
    cascade_purchase_order_ids = fields.Many2many(
        "purchase.order",
        string="Cascade Purchases",
        compute="_compute_cascade_purchases",
        groups="purchase.group_purchase_user",
        help="Every purchase made for this order, at every level of the bills of "
        "materials, and those of reordering rules its manufacturing orders "
        "triggered.",
    )
    cascade_purchase_count = fields.Integer(
        compute="_compute_cascade_purchases", groups="purchase.group_purchase_user"
    )

    @api.depends(
        "allocation_ids.production_id",
        "order_line.move_ids.created_production_id",
        "order_line.move_ids.move_orig_ids.created_production_id",
    )
    def _compute_cascade_productions(self):
        for order in self:
            # sudo: the cascade crosses documents the user may not read; only
            # those they can read are shown and counted.
            productions = order.sudo()._cascade_collect()[0]._filtered_access("read")
            order.cascade_production_ids = productions
            order.cascade_production_count = len(productions)

    @api.depends(
        "allocation_ids.purchase_line_id",
        "order_line.move_ids.created_purchase_line_ids",
        "order_line.move_ids.move_orig_ids.created_purchase_line_ids",
    )
    def _compute_cascade_purchases(self):
        for order in self:
            # sudo: as in _compute_cascade_productions.
            every_line = order.sudo()._cascade_collect()[1]
            order.cascade_purchase_line_ids = every_line._filtered_access("read")
            orders = every_line.sudo().order_id.sudo(False)._filtered_access("read")
            order.cascade_purchase_order_ids = orders
            order.cascade_purchase_count = len(orders)

    def _cascade_collect(self):
        """MOs and purchase lines made for these orders (all of them: callers
        filter what a user may read): the top MOs and purchases of their
        make-to-order lines, the cascade below them read from the ledger
        (rows of kind cascade), and what reordering rules bought or made when
        these MOs took components from stock."""
        # sudo: the ledger, moves and MOs of every company the cascade crossed.
        if not self.ids:
            return self.env["mrp.production"], self.env["purchase.order.line"]
        top, lines = self._cascade_top()
        rows = (
            self.env["mto.replenishment.allocation"]
            .sudo()
            .search([("sale_order_id", "in", self.ids), ("kind", "=", "cascade")])
        )
        productions = top | rows.production_id
        lines |= rows.purchase_line_id
        # Reordering rules triggered by components taken from stock: not made
        # for the order (no rows), reached through the MOs that triggered them.
        triggered = productions.cascade_replenishment_production_ids - productions
        below, below_lines = triggered._cascade_descendants()
        productions |= triggered | below
        lines |= productions.cascade_replenishment_purchase_line_ids | below_lines
        return productions.sudo(False), lines.sudo(False)

    def _cascade_top(self):
        """The MOs and purchase lines made directly for these orders' lines
        (make to order), with sudo: see _cascade_collect."""
        # sudo: see _cascade_collect.
        top = (
            self.env["mrp.production"]
            .sudo()
            .search(
                [
                    "|",
                    ("procurement_group_id.sale_id", "in", self.ids),
                    ("sale_line_id", "in", self.order_line.ids),
                ]
            )
        )
        # sudo: as above, the moves of these orders in every company.
        moves = (
            self.env["stock.move"].sudo().search([("group_id.sale_id", "in", self.ids)])
        )
        moves |= moves.move_orig_ids
        return top | moves.created_production_id, moves.created_purchase_line_ids

    def action_view_cascade_productions(self):
        self.ensure_one()
        self.check_access("read")
        return self.cascade_production_ids._cascade_action(
            _("Manufacturing for %(order)s", order=self.name)
        )

    def action_view_cascade_purchases(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("purchase.purchase_rfq")
        action.update(
            {
                "name": _("Purchases for %(order)s", order=self.name),
                "domain": [("id", "in", self.cascade_purchase_order_ids.ids)],
                "context": {"create": False},
            }
        )
        return action

    promise_date = fields.Datetime(
        compute="_compute_promise_date",
        help="When the customer can have every line of the order: the latest "
        "promise date of its lines.",
    )

    @api.depends("order_line.promise_date")
    def _compute_promise_date(self):
        for order in self:
            dates = [d for d in order.order_line.mapped("promise_date") if d]
            order.promise_date = max(dates) if dates else False

    def _promise_document_date(self):
        """The delivery date the customer's documents (quotation and order PDF,
        portal) show when the company applies the promise: the commitment date
        once set, else the promise."""
        self.ensure_one()
        if not self.company_id.promise_apply_commitment:
            return False
        return self.commitment_date or self.promise_date

    def action_confirm(self):
        self._cascade_preflight()
        return super().action_confirm()

    def _action_confirm(self):
        # before super: sale_stock launches the procurements with the
        # commitment date
        self._promise_apply_commitment()
        return super()._action_confirm()

    def _promise_apply_commitment(self):
        for order in self.filtered("company_id.promise_apply_commitment"):
            dates = [d for d in order.order_line.mapped("promise_date") if d]
            if not dates:
                continue
            promise = max(dates)
            if not order.commitment_date or order.commitment_date < promise:
                order.commitment_date = promise

    def _cascade_preflight(self):
        """Refuse orders whose make-to-order cascade would fail, before anything is
        created, naming the product, the BoM and the line, and what to add."""
        errors = []
        for order in self:
            errors += order.order_line._cascade_problems()
        if errors:
            raise UserError(
                _(
                    "This order cannot be confirmed: its make-to-order cascade "
                    "would fail.\n%(problems)s",
                    problems="\n".join(f"- {error}" for error in errors),
                )
            )

    @api.model
    def _cascade_walk_problems(self, boms, warehouse, product=None, route_kinds=None):
        """Problems of the on-demand components below ``boms``, level by level.

        Each BoM is walked for the product it makes (``product`` for the given
        BoMs; by default each BoM's own variant, or every line for a template
        BoM): a line of other variants only is left out, as Odoo's explosion
        leaves it out. ``route_kinds``: the warehouse's (read once if not
        given); the BoMs of each level are found once.
        """
        errors = []
        if route_kinds is None:
            route_kinds = self.env["product.product"]._promise_route_kinds(warehouse)
        mto_route = warehouse.mto_pull_id.route_id
        Bom = self.env["mrp.bom"]
        Product = self.env["product.product"]
        pairs = [
            (bom, product or bom.product_id or bom.product_tmpl_id) for bom in boms
        ]
        seen = set()
        while pairs:
            seen |= {(bom.id, target._name, target.id) for bom, target in pairs}
            lines = self.env["mrp.bom.line"]
            for bom, target in pairs:
                lines |= bom.bom_line_ids.filtered(
                    lambda line, target=target: not line._skip_bom_line(target)
                )
            on_demand = self.env["mrp.bom.line"]
            for line in lines:
                component = line.product_id
                routes = component.route_ids | component.categ_id.total_route_ids
                if line.supply_method in ORDERED_METHODS or (
                    (line.supply_method or "product") == "product"
                    and mto_route
                    and mto_route in routes
                ):
                    on_demand |= line
            kits = Bom._bom_find(
                lines.product_id,
                company_id=warehouse.company_id.id,
                bom_type="phantom",
            )
            components = on_demand.product_id
            level_boms = components._cascade_boms(warehouse)
            problems = components._cascade_replenish_problems(
                warehouse, route_kinds=route_kinds, boms=level_boms
            )
            for line in on_demand:
                if line.product_id.id in problems:
                    errors.append(
                        line._cascade_problem_message(problems[line.product_id.id])
                    )
            kinds = components._promise_replenish_kinds(
                warehouse, route_kinds=route_kinds, boms=level_boms
            )
            made = Product.browse(
                [
                    component.id
                    for component in components
                    if component.id not in problems
                    and kinds[component.id] == promise_tools.MANUFACTURE
                ]
            )
            normal = self._cascade_normal_boms(made, warehouse, level_boms)
            next_pairs = [
                (kits[component], component)
                for component in lines.product_id
                if kits[component]
            ] + [
                (normal[component], component)
                for component in made
                if normal[component]
            ]
            pairs = [
                (bom, target)
                for bom, target in next_pairs
                if (bom.id, target._name, target.id) not in seen
            ]
        return errors

    @api.model
    def _cascade_normal_boms(self, products, warehouse, boms):
        """The first normal BoM of each product (``_bom_find`` of type normal):
        the first BoM of any type in ``boms`` when it is normal, else found."""
        normal = self.env["mrp.bom"]._bom_find(
            products.filtered(lambda p: boms[p].type != "normal"),
            picking_type=warehouse.manu_type_id,
            company_id=warehouse.company_id.id,
            bom_type="normal",
        )
        for product in products.filtered(lambda p: boms[p].type == "normal"):
            normal[product] = boms[product]
        return normal

    # --- Per-order (0/0/1) replenishment: the ledger's traceability ----------
    @api.depends("allocation_ids.purchase_line_id", "allocation_ids.production_id")
    def _compute_per_order_supply(self):
        for order in self:
            # sudo: the ledger rows of this order; what is shown is filtered
            # by the user's access to the supply.
            rows = order.sudo().allocation_ids.filtered(
                lambda row: row.kind == "per_order"
            )
            order.per_order_purchase_line_ids = rows.purchase_line_id.sudo(
                False
            )._filtered_access("read")
            order.per_order_production_ids = rows.production_id.sudo(
                False
            )._filtered_access("read")

    @api.depends("per_order_purchase_line_ids", "per_order_production_ids")
    def _compute_per_order_counts(self):
        for order in self:
            order.per_order_purchase_count = len(
                order.per_order_purchase_line_ids.order_id
            )
            order.per_order_production_count = len(order.per_order_production_ids)

    def action_view_per_order_purchases(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("purchase.purchase_rfq")
        action.update(
            {
                "name": _("Per-order purchases of %(order)s", order=self.name),
                "domain": [("id", "in", self.per_order_purchase_line_ids.order_id.ids)],
                "context": {"create": False},
            }
        )
        return action

    def action_view_per_order_productions(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "mrp.mrp_production_action"
        )
        action.update(
            {
                "name": _("Per-order manufacturing of %(order)s", order=self.name),
                "domain": [("id", "in", self.per_order_production_ids.ids)],
                "context": {"create": False},
            }
        )
        return action

    def _per_order_action(self, name):
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action.update(
            {
                "name": name,
                "domain": [("id", "in", self.ids)],
                "context": {"create": False},
            }
        )
        return action

    # --- Cancellation of the replenishment made for an order -----------------
    def _action_cancel(self):
        """With the company setting, cancelling a confirmed order also reduces or
        cancels the per-order and cascade replenishment that is still draft and
        was made only for it; what is already confirmed is left alone and listed
        on the order."""
        todo = self.filtered(
            lambda o: o.state == "sale" and o.company_id.mto_cancel_replenishment
        )
        # sudo: the company chose to cancel the draft replenishment made only for
        # a cancelled order; the user who may cancel the order may not have
        # purchase or manufacturing rights.
        collected = {
            order: [records.sudo() for records in order.sudo()._cascade_collect()]
            for order in todo
        }
        res = super()._action_cancel()
        for order in todo:
            # sudo: see above.
            order.sudo()._mto_cancel_replenishment(*collected[order])
        return res

    def _mto_cancel_replenishment(self, productions, purchase_lines):
        """Undo the replenishment made for this cancelled order, reading the
        ledger: draft RFQ lines lose exactly the quantity allocated to it, MOs
        allocated to it or made for it (cascade) that have not started are
        reduced or cancelled with their sub-orders and draft purchases; what is
        confirmed with a vendor or started stays and is listed."""
        self.ensure_one()
        done, left = [], []
        # Cascade rows are undone with the MO they were made for (below).
        rows = self.allocation_ids.filtered(lambda row: row.kind != "cascade")
        by_line = rows.filtered("purchase_line_id").grouped("purchase_line_id")
        by_production = rows.filtered("production_id").grouped("production_id")
        allocated_lines, allocated_productions = (
            rows.purchase_line_id,
            rows.production_id,
        )
        for line, line_rows in by_line.items():
            if line.order_id.state in ("draft", "sent"):
                done.append(line._mto_reduce(line_rows))
            elif line.state != "cancel":
                left.append(line.order_id)
        for production, mo_rows in by_production.items():
            if production.state in ("done", "cancel"):
                continue
            if production._mto_is_started():
                left.append(production)
                continue
            mo_done, mo_left = production._mto_reduce(mo_rows)
            done += mo_done
            left += list(mo_left)
        # The make-to-order cascade: the top MOs made for the order (those below
        # an MO allocated to it went with that MO).
        below, below_lines = allocated_productions._cascade_descendants()
        cascade = productions - allocated_productions - below
        # Lines bought for the cascade go with the MO they were bought for.
        purchase_lines -= (
            below_lines
            | self.allocation_ids.filtered(
                lambda row: row.kind == "cascade"
            ).purchase_line_id
        )
        for production in cascade - cascade._cascade_descendants()[0]:
            if production.state in ("done", "cancel"):
                continue
            if production._mto_is_started():
                left.append(production)
                continue
            mo_done, mo_left = production._mto_cancel_tree()
            done += mo_done
            left += list(mo_left)
        # Purchases made directly for the order's lines (make to order).
        for po_line in (purchase_lines - allocated_lines).exists():
            destinations = po_line.move_dest_ids
            if not destinations or any(m.state != "cancel" for m in destinations):
                continue
            if po_line.order_id.state not in ("draft", "sent"):
                left.append(po_line.order_id)
                continue
            done.append(
                po_line._mto_reduce_qty(sum(destinations.mapped("product_qty")))
            )
        self._mto_report_cancellation(done, left)

    def _mto_report_cancellation(self, done, left):
        left_names = sorted({record.name for record in left})
        self.mto_cancel_warning = (
            _("Already confirmed, left alone: %s", ", ".join(left_names))
            if left_names
            else False
        )
        if done or left_names:
            lines = [item for item in done if item]
            if left_names:
                lines.append(self.mto_cancel_warning)
            self.message_post(
                body=Markup("<br/>").join(
                    [_("Replenishment made for this order:"), *lines]
                )
            )
