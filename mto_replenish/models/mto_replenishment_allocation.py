# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import defaultdict

from odoo import Command, _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

#: Supply states in which an allocation still covers its demand.
OPEN_PURCHASE_STATES = ("draft", "sent", "to approve", "purchase")
OPEN_PRODUCTION_STATES = ("draft", "confirmed", "progress", "to_close")


class MtoReplenishmentAllocation(models.Model):
    """The ledger of replenishment: which sales order line a piece of supply (an
    RFQ line or a manufacturing order) was bought or made for, and how much of
    it, in the product's unit. A row is written in the transaction that creates
    or raises the supply, never reconstructed afterwards; cancellation,
    traceability and the reordering rules' forecast read it."""

    _name = "mto.replenishment.allocation"
    _description = "Replenishment allocation"
    _order = "id"

    company_id = fields.Many2one("res.company", required=True, index=True)
    product_id = fields.Many2one("product.product", required=True, index=True)
    sale_line_id = fields.Many2one(
        "sale.order.line", required=True, ondelete="cascade", index=True
    )
    sale_order_id = fields.Many2one(
        related="sale_line_id.order_id", store=True, index=True
    )
    quantity = fields.Float(
        digits="Product Unit of Measure",
        required=True,
        help="Quantity allocated to the sales order line, in the product's unit.",
    )
    purchase_line_id = fields.Many2one(
        "purchase.order.line", ondelete="cascade", index=True
    )
    production_id = fields.Many2one("mrp.production", ondelete="cascade", index=True)
    orderpoint_id = fields.Many2one(
        "stock.warehouse.orderpoint", string="Reordering Rule", ondelete="set null"
    )
    parent_production_id = fields.Many2one(
        "mrp.production",
        string="Made For",
        ondelete="cascade",
        help="The manufacturing order whose component this supply is (cascade).",
    )
    kind = fields.Selection(
        [
            ("per_order", "Per order (0/0/1)"),
            ("scheduler", "Reordering rule"),
            ("cascade", "Make-to-order cascade"),
        ],
        required=True,
    )

    _sql_constraints = [
        (
            "one_supply",
            "CHECK ((purchase_line_id IS NULL) != (production_id IS NULL))",
            "An allocation belongs to exactly one RFQ line or manufacturing order.",
        ),
        (
            "positive_quantity",
            "CHECK (quantity > 0)",
            "An allocated quantity must be positive.",
        ),
    ]

    @api.constrains("product_id", "purchase_line_id", "production_id")
    def _check_product(self):
        for row in self:
            supply = row.purchase_line_id or row.production_id
            if supply.product_id != row.product_id:
                raise ValidationError(
                    _(
                        "The allocation of %(product)s cannot point to %(supply)s, "
                        "which supplies %(other)s.",
                        product=row.product_id.display_name,
                        supply=supply.display_name,
                        other=supply.product_id.display_name,
                    )
                )

    # ------------------------------------------------------------ writing
    @api.model_create_multi
    def create(self, vals_list):
        """The sales order is written with the row (one INSERT, not an UPDATE
        of the related field right after it)."""
        self.check_access("create")
        line_ids = {
            vals["sale_line_id"]
            for vals in vals_list
            if vals.get("sale_line_id") and "sale_order_id" not in vals
        }
        if line_ids:
            # sudo: as the related field's own compute (the order of the line).
            lines = self.env["sale.order.line"].sudo().browse(sorted(line_ids))
            order_of = {line.id: line.order_id.id for line in lines}
            vals_list = [
                dict(vals, sale_order_id=order_of[vals["sale_line_id"]])
                if vals.get("sale_line_id") in order_of and "sale_order_id" not in vals
                else vals
                for vals in vals_list
            ]
        return super().create(vals_list)

    @api.model
    def _mto_commands(self, values):
        """One2many commands creating the rows a procurement carries (values
        ``mto_allocations``, set by the reordering rule): [] when none."""
        return [Command.create(dict(row)) for row in values.get("mto_allocations", ())]

    @api.model
    def _mto_cascade_rows(self, product, qty, uom, company, values):
        """Rows of kind cascade for a procurement of ``qty`` ``uom`` of
        ``product`` made for the components of parent MOs (``move_dest_ids`` of
        ``values``, a make-to-order cascade): the quantity, in the product's
        unit, is shared among the parents by their component moves, then among
        the sales order lines each parent serves. [] when it serves no parent
        MO, or the parents serve no sales order line."""
        weights = self._mto_cascade_parents(values.get("move_dest_ids"))
        total = sum(weights.values())
        if not total:
            return []
        quantity = uom._compute_quantity(qty, product.uom_id, round=False)
        rounding = product.uom_id.rounding
        rows = []
        for parent, weight in weights.items():
            served = parent._mto_served_sale_lines()
            served_total = sum(served.values())
            for sale_line, served_qty in served.items():
                share = quantity * weight / total * served_qty / served_total
                if float_compare(share, 0.0, precision_rounding=rounding) <= 0:
                    continue
                rows.append(
                    {
                        "kind": "cascade",
                        "company_id": company.id,
                        "product_id": product.id,
                        "sale_line_id": sale_line.id,
                        "quantity": share,
                        "parent_production_id": parent.id,
                    }
                )
        return rows

    @api.model
    def _mto_cascade_parents(self, moves):
        """{parent MO: quantity of its component moves (product unit)} for the
        destination moves of a procurement: raw moves of an MO, or moves
        feeding one (components picked in steps before manufacturing)."""
        weights = defaultdict(float)
        if not moves:
            return weights
        # sudo: the cascade crosses MOs and moves the procuring user may not
        # read; only the parents' sales order lines are taken from them.
        for move in moves.sudo():
            raw = move if move.raw_material_production_id else move.move_dest_ids
            raw = raw.filtered("raw_material_production_id")[:1]
            if raw and move.product_qty > 0:
                weights[raw.raw_material_production_id] += move.product_qty
        return weights

    @api.model
    def _mto_backfill_cascade_rows(self):
        """Rows of kind cascade for the open MOs and RFQ lines made for the
        components of an MO that have none yet (databases from before the
        cascade rows; see the migrations), in creation order so that a
        parent's rows exist before its children's."""
        for model, field in (
            ("mrp.production", "production_id"),
            ("purchase.order.line", "purchase_line_id"),
        ):
            supplies = self.env[model].search(
                [("state", "!=", "cancel"), ("move_dest_ids", "!=", False)],
                order="id",
            )
            for supply in supplies:
                if supply.allocation_ids.filtered(lambda row: row.kind == "cascade"):
                    continue
                moves = supply.move_dest_ids.filtered(lambda m: m.state != "cancel")
                product = supply.product_id
                rows = self._mto_cascade_rows(
                    product,
                    sum(moves.mapped("product_qty")),
                    product.uom_id,
                    supply.company_id,
                    {"move_dest_ids": moves},
                )
                if rows:
                    self.create([{**row, field: supply.id} for row in rows])
                    supply.invalidate_recordset(["allocation_ids"])

    # ------------------------------------------------------------ reading
    @api.model
    def _mto_open_domain(self):
        """Rows whose supply still stands (not cancelled)."""
        return [
            "|",
            "&",
            ("purchase_line_id", "!=", False),
            ("purchase_line_id.state", "in", OPEN_PURCHASE_STATES + ("done",)),
            "&",
            ("production_id", "!=", False),
            ("production_id.state", "in", OPEN_PRODUCTION_STATES + ("done",)),
        ]

    @api.model
    def _mto_open_rows(self, products):
        """Open rows of ``products`` with what the reordering rules read of
        them (supply dates and states, the demand's moves and their locations)
        fetched in one query per table, whatever the number of rows."""
        rows = self.search_fetch(
            self._mto_open_rows_domain(products), self._mto_open_rows_fields()
        )
        return rows._mto_open_rows_fetch()

    @api.model
    def _mto_open_rows_domain(self, products):
        return self._mto_open_domain() + [("product_id", "in", products.ids)]

    @api.model
    def _mto_open_rows_fields(self):
        return [
            "product_id",
            "sale_line_id",
            "quantity",
            "purchase_line_id",
            "production_id",
        ]

    def _mto_open_rows_fetch(self):
        """These rows (of ``_mto_open_rows``) with what the reordering rules
        read of them fetched in one query per table."""
        rows = self
        rows.fetch(self._mto_open_rows_fields())
        rows.purchase_line_id.fetch(["date_planned", "state"])
        rows.production_id.fetch(["date_finished", "state"])
        rows.sale_line_id.fetch(["move_ids"])
        moves = rows.sale_line_id.move_ids
        moves.fetch(["state", "product_qty", "date", "location_id", "location_dest_id"])
        (moves.location_id | moves.location_dest_id).fetch(["parent_path"])
        return rows

    def _mto_by_product(self):
        """{product id: [row]} of these rows."""
        by_product = defaultdict(list)
        for row in self:
            by_product[row.product_id.id].append(row)
        return by_product

    def _mto_supply_date(self):
        """When the supply of this row arrives (datetime): the RFQ line's
        planned date, the MO's planned end."""
        self.ensure_one()
        if self.purchase_line_id:
            return self.purchase_line_id.date_planned
        return self.production_id.date_finished

    def _mto_supply_in_progress(self):
        """True when Odoo counts the supply as "in progress" of the reordering
        rule whatever its date (draft RFQ lines, draft MOs)."""
        self.ensure_one()
        if self.purchase_line_id:
            return self.purchase_line_id.state in ("draft", "sent", "to approve")
        return self.production_id.state == "draft"

    def _mto_late_quantities(self, until):
        """{row: the part of the row's supply that Odoo's forecast at
        ``until`` (a date) misses}: none for supply in progress (draft RFQ
        lines and MOs, counted whatever their date); for other supply, what is
        still to come into stock after ``until``, as the forecast reads it:
        the dates of its open receipt moves (an RFQ line) or finished moves (an
        MO), not the dates written on the RFQ line or MO. What has arrived
        (received, produced) is in stock. A supply's late part goes to its
        latest rows first."""
        late = dict.fromkeys(self, 0.0)
        rows = self.filtered(lambda row: not row._mto_supply_in_progress())
        if not rows:
            return late
        moves = rows._mto_incoming_moves()
        left = {}
        for row in rows.sorted("id", reverse=True):
            supply = row.purchase_line_id or row.production_id
            if supply not in left:
                left[supply] = sum(
                    move.product_qty
                    for move in moves.get(supply, ())
                    if move.date.date() > until
                )
            late[row] = min(row.quantity, left[supply])
            left[supply] -= late[row]
        return late

    def _mto_incoming_moves(self):
        """{supply: its open moves bringing its product into stock} of these
        rows: an RFQ line's receipt moves (not returns), an MO's finished
        moves of its product; read in one query per table."""
        lines, productions = self.purchase_line_id, self.production_id
        every = lines.move_ids | productions.move_finished_ids
        every.fetch(["state", "product_id", "product_qty", "date", "location_dest_id"])
        every.location_dest_id.fetch(["usage"])
        result = {}
        for line in lines:
            result[line] = line.move_ids.filtered(
                lambda move, line=line: move.state not in ("done", "cancel")
                and move.product_id == line.product_id
                and move.location_dest_id.usage != "supplier"
            )
        for production in productions:
            result[production] = production.move_finished_ids.filtered(
                lambda move, production=production: move.state not in ("done", "cancel")
                and move.product_id == production.product_id
            )
        return result
