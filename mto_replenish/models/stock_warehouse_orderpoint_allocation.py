# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import defaultdict

from odoo import models

from ..tools import forecast as fc
from ..tools.batch import search_at_once
from ..tools.relay import received


# One capability of reordering rules per file, on purpose (see README, Layout).
class StockWarehouseOrderpoint(models.Model):
    """Reordering rules and the allocation ledger: what a rule orders is
    allocated to the open demand it covers, and demand that has supply
    allocated stays covered whatever that supply's date."""

    # pylint: disable=consider-merging-classes-inherited
    _inherit = "stock.warehouse.orderpoint"

    # ------------------------------------------------------------ late cover
    def _mto_open_ledger_rows(self, with_moves=False):
        """The open ledger rows of these rules' products (as the system: the
        ledger is its record; only quantities are read); ``with_moves``: (rows,
        the moves of ``_mto_forecast_moves_query``), searched in one query."""
        rules = self.filtered(lambda op: op.product_id and op.location_id)
        # sudo: the ledger is the system's record; only quantities are read.
        Allocation = self.env["mto.replenishment.allocation"].sudo()
        Move = self.env["stock.move"]
        if not with_moves:
            return Allocation._mto_open_rows(rules.product_id) if rules else Allocation
        if not rules:
            return Allocation, Move
        rows, moves = search_at_once(
            Allocation,
            Allocation._search(Allocation._mto_open_rows_domain(rules.product_id)),
            Move,
            rules._mto_forecast_moves_query(),
        )
        return rows._mto_open_rows_fetch(), moves

    def _mto_late_cover(self, visibility_days=False, rows=None):
        """{rule id: (at forecast date, at visibility end)}: the quantities of
        demand due by each date whose allocated supply arrives after it (so
        Odoo's forecast misses it), counted as covered. ``visibility_days``
        replaces the rules' own window when not False; ``rows``: the open
        ledger rows of the rules' products when already read."""
        rules = self.filtered(lambda op: op.product_id and op.location_id)
        if not rules:
            return {}
        if rows is None:
            rows = rules._mto_open_ledger_rows()
        rows = rows.filtered(lambda row: not row._mto_supply_in_progress())
        if not rows:
            return {}
        # The supplies' moves, read once for every rule.
        rows._mto_incoming_moves()
        by_product = rows._mto_by_product()
        result = {}
        for rule in rules:
            product_rows = by_product.get(rule.product_id.id)
            if not product_rows:
                continue
            forecast_date = rule.lead_days_date
            ends = (
                forecast_date,
                fc.visibility_end(
                    forecast_date,
                    rule.visibility_days
                    if visibility_days is False
                    else visibility_days,
                ),
            )
            result[rule.id] = tuple(
                rule._mto_late_cover_until(product_rows, until) for until in ends
            )
        return result

    def _mto_late_cover_until(self, rows, until):
        """Covered quantity of demand due by ``until`` (a date) whose allocated
        supply (among ``rows``) arrives after it."""
        self.ensure_one()
        late_by_line = defaultdict(float)
        for row, late in self._mto_rows_late(rows, until).items():
            if late:
                late_by_line[row.sale_line_id] += late
        covered = 0.0
        root = self.location_id.parent_path
        for line, late in late_by_line.items():
            due = sum(
                move.product_qty
                for move in line.sudo().move_ids  # sudo: see _mto_late_cover
                if move.state
                in ("waiting", "confirmed", "partially_available") + ("assigned",)
                and move.location_id.parent_path.startswith(root)
                and not move.location_dest_id.parent_path.startswith(root)
                and move.date.date() <= until
            )
            covered += min(late, due)
        return covered

    def _mto_rows_late(self, rows, until):
        """``_mto_late_quantities`` of ``rows`` (a list of ledger rows, in the
        environment they were read in)."""
        if not rows:
            return {}
        return rows[0].concat(*rows[1:])._mto_late_quantities(until)

    # ------------------------------------------------------------ allocation
    def _mto_allocations(self):
        """{rule id: [allocation values]} for the rules about to order.

        What a rule orders (its quantity to order) is allocated to the open
        demand of its window, in date order, that neither its allocations nor
        the free forecast (stock and supply that no demand holds) cover: an
        order served from stock gets nothing. What is left (rounding, minimum
        and maximum quantities) stays unallocated.
        """
        due = self.filtered(
            lambda op: op.product_id
            and op.location_id
            and op.trigger == "auto"
            and fc.compare(op.qty_to_order, 0.0, op.product_uom.rounding) > 0
        )
        if not due:
            return {}
        # What the quantities to order were computed from, when it was read
        # in this procurement.
        batch = due._mto_scope_prepared()
        if batch:
            in_progress = {op_id: batch["in_progress"][op_id] for op_id in due.ids}
            rows = batch["rows"]
        else:
            in_progress = due._quantity_in_progress()
            rows = due._mto_open_ledger_rows()
        forecast = due._mto_forecast_with_visibility(in_progress)
        # The supplies' moves (see _mto_allocate), read once for every rule.
        rows.filtered(
            lambda row: not row._mto_supply_in_progress()
        )._mto_incoming_moves()
        moves = due._mto_forecast_moves(batch and batch["moves"])
        by_product = rows._mto_by_product()
        result = {}
        for rule in due:
            until = fc.visibility_end(rule.lead_days_date, rule.visibility_days)
            demand = [
                (move, -qty)
                for move, qty in moves.get(rule.id, [])
                if qty < 0 and move.date.date() <= until
            ]
            product_rows = by_product.get(rule.product_id.id, [])
            allocations = rule._mto_allocate(
                demand, forecast.get(rule.id, 0.0), product_rows, until
            )
            if allocations:
                result[rule.id] = allocations
        return result

    def _mto_allocate(self, demand, forecast, rows, until):
        """Allocation values of this rule's quantity to order over ``demand``
        ([(move, qty)] in date order) given the forecast at the window's end
        and the open allocations ``rows`` of the product."""
        self.ensure_one()
        held = defaultdict(float)
        for row in rows:
            held[row.sale_line_id.id] += row.quantity
        demand_lines = {
            move.sale_line_id.id for move, __ in demand if move.sale_line_id
        }
        # Supply counted in the forecast but held by open demand.
        held_rows = [row for row in rows if row.sale_line_id.id in demand_lines]
        late = self._mto_rows_late(held_rows, until)
        counted_held = sum(row.quantity - late[row] for row in held_rows)
        free = forecast + sum(qty for __, qty in demand) - counted_held
        left = self.qty_to_order
        rounding = self.product_uom.rounding
        allocated = defaultdict(float)
        for move, qty in demand:
            line = move.sale_line_id
            covered = min(held[line.id], qty) if line else 0.0
            held[line.id] -= covered
            need = qty - covered
            from_free = max(0.0, min(free, need))
            free -= from_free
            need -= from_free
            take = min(need, left)
            if fc.compare(take, 0.0, rounding) <= 0:
                continue
            left -= take
            if line:
                allocated[line] += take
            if fc.compare(left, 0.0, rounding) <= 0:
                break
        kind = "per_order" if self.is_per_order else "scheduler"
        return [
            {
                "company_id": self.company_id.id,
                "product_id": self.product_id.id,
                "sale_line_id": line.id,
                "quantity": qty,
                "orderpoint_id": self.id,
                "kind": kind,
            }
            for line, qty in allocated.items()
        ]

    def _prepare_procurement_values(self, date=False, group=False):
        values = super()._prepare_procurement_values(date=date, group=group)
        allocations = received(self.env.context, "mto_allocations_by_op") or {}
        if allocations.get(self.id):
            values["mto_allocations"] = allocations[self.id]
        return values
