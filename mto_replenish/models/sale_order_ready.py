# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Ready date of a sales order: when it can ship given the planned dates of
everything in its make-to-order cascade and of the supply allocated to it.

The walk goes down from the order: its deliveries' origins (receipts, MOs,
RFQ lines made to order), the top MOs of its cascade, the supply of its
allocations (per-order and reordering-rule rows); below an MO, its component
moves and the ledger rows made for it (cascade rows). Dates are taken forward
from now, because Odoo plans backward and often writes dates in the past:

* an RFQ line not confirmed arrives no earlier than now + vendor lead time +
  purchase security lead time + days to purchase; a confirmed one no earlier
  than now, its planned date or its receipt's scheduled date;
* an MO ends no earlier than its planned end, nor than the latest of now and its
  components' ready dates plus its own planned duration;
* a move waiting on another one adds its rule's delay (route delays).

Each ready date comes with its chain: the records that decide it, from the
deepest late supply up (the first one is "the late supply").
"""

import math
from contextlib import contextmanager
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import format_datetime

from ..tools.batch import search_at_once
from .mto_replenishment_allocation import OPEN_PRODUCTION_STATES, OPEN_PURCHASE_STATES

DRAFT_PURCHASE_STATES = ("draft", "sent", "to approve")
#: Key, in the transaction's cache (``cr.cache``), of the supplies rescheduled
#: while a batch of ready dates is open (see ``ready_batch``).
SLIPS = "mto_ready_slips"


@contextmanager
def ready_batch(env):
    """Supplies rescheduled inside this block (receipt dates, MO dates) have
    the ready dates of their orders recomputed once, when it ends without
    error, instead of at each write; nested blocks leave it to the outer one."""
    cache = env.cr.cache
    if SLIPS in cache:
        yield
        return
    slipped = cache[SLIPS] = []
    try:
        yield
    finally:
        del cache[SLIPS]
    env["sale.order"]._cascade_ready_slipped(slipped)


class ReadyWalk:
    """One batch of ready dates: memoized per supply, dates forward from
    ``now``. Works on superuser records (the walk crosses documents and
    companies a salesperson may not read)."""

    def __init__(self, env, now):
        self.env = env
        self.now = now
        self.memo = {}
        self.made_for = {}  # MO id: its open cascade rows (see _made_for)

    def _cached(self, record, compute):
        key = (record._name, record.id)
        if key not in self.memo:
            self.memo[key] = None  # a loop in the links counts as no supply
            self.memo[key] = compute(record)
        return self.memo[key]

    @staticmethod
    def latest(candidates):
        """The latest (date, chain) of ``candidates`` (None entries skipped)."""
        found = [c for c in candidates if c]
        if not found:
            return None
        return max(found, key=lambda c: c[0])

    # ------------------------------------------------------------ supplies
    def purchase_line(self, line):
        return self._cached(line, self._purchase_line)

    def _purchase_line(self, line):
        if line.state == "cancel" or line.order_id.state == "cancel":
            return None
        if line.product_qty and line.qty_received >= line.product_qty:
            return None
        dates = [self.now, line.date_planned or self.now]
        if line.order_id.state in DRAFT_PURCHASE_STATES:
            dates.append(self.now + timedelta(days=self._purchase_days(line)))
        receipts = line.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        dates += [m.picking_id.scheduled_date or m.date for m in receipts]
        return max(dates), [line]

    def _purchase_days(self, line):
        """Vendor lead time + purchase security lead + days to purchase."""
        seller = line.product_id._select_seller(
            partner_id=line.partner_id,
            quantity=line.product_qty,
            uom_id=line.product_uom,
        )
        company = line.company_id
        return (seller.delay or 0) + company.po_lead + company.days_to_purchase

    def production(self, production):
        return self._cached(production, self._production)

    def _production(self, production):
        if production.state == "cancel":
            return None
        if production.state == "done":
            return None
        own = self._own_time(production)
        components = self.latest(
            [self.move(m) for m in production.move_raw_ids]
            + [self.allocation(row) for row in self._made_for(production)]
        )
        planned = (max(production.date_finished or self.now, self.now), [production])
        if not components:
            start = self.now
            if production.date_start and production.date_start > self.now:
                start = production.date_start
            return max(planned, (start + own, [production]), key=lambda c: c[0])
        forward = (max(components[0], self.now) + own, components[1] + [production])
        return max(planned, forward, key=lambda c: c[0])

    @staticmethod
    def _own_time(production):
        """The MO's own duration, as Odoo plans its end from its start: the
        BoM's manufacturing lead time, else its work orders' expected time."""
        days = production.bom_id.produce_delay
        if days:
            return timedelta(days=days)
        minutes = sum(production.workorder_ids.mapped("duration_expected"))
        return timedelta(minutes=minutes)

    def _made_for(self, production):
        """Ledger rows of supply made for this MO (cascade), open; searched
        at once for the MOs read with it (its level of the cascade)."""
        if production.id not in self.made_for:
            ids = {production.id} | {
                i
                for i in production._prefetch_ids
                if isinstance(i, int) and i not in self.made_for
            }
            Allocation = self.env["mto.replenishment.allocation"]
            rows = Allocation.search(
                [("parent_production_id", "in", list(ids))]
                + Allocation._mto_open_domain()
            )
            for i in ids:
                self.made_for[i] = Allocation
            for row in rows:
                self.made_for[row.parent_production_id.id] |= row
        return self.made_for[production.id]

    def allocation(self, row):
        if row.purchase_line_id:
            if row.purchase_line_id.state not in OPEN_PURCHASE_STATES:
                return None
            return self.purchase_line(row.purchase_line_id)
        if row.production_id.state not in OPEN_PRODUCTION_STATES:
            return None
        return self.production(row.production_id)

    def move(self, move):
        return self._cached(move, self._move)

    def _move(self, move):
        """When the goods of this move are there: None when it takes them from
        stock (no supply of its own)."""
        if move.state in ("done", "cancel"):
            return None
        if move.production_id:
            return self.production(move.production_id)
        if move.purchase_line_id:
            return self.purchase_line(move.purchase_line_id)
        before = self.latest(
            [self.move(orig) for orig in move.move_orig_ids]
            + [self.purchase_line(line) for line in move.created_purchase_line_ids]
            + [self.production(p) for p in move.created_production_id]
        )
        if not before:
            return None
        delay = timedelta(days=move.rule_id.delay or 0) if move.move_orig_ids else 0
        return (before[0] + delay, before[1]) if delay else before

    # ------------------------------------------------------------ orders
    def orders(self, orders):
        """{order id: (ready date, chain)} (None: nothing made to order)."""
        Allocation = self.env["mto.replenishment.allocation"]
        # Every pending change of the MOs written now, not only the fields the
        # search reads: one UPDATE of the MOs, not a second one at the end.
        self.env["mrp.production"].flush_model()
        tops, rows = self._search_at_once(
            self.env["mrp.production"],
            [
                "|",
                ("procurement_group_id.sale_id", "in", orders.ids),
                ("sale_line_id", "in", orders.order_line.ids),
            ],
            Allocation,
            [("sale_order_id", "in", orders.ids), ("kind", "!=", "cascade")]
            + Allocation._mto_open_domain(),
        )
        tops_by_order = tops.grouped(
            lambda p: (p.procurement_group_id.sale_id or p.sale_line_id.order_id).id
        )
        rows_by_order = rows.grouped(lambda r: r.sale_order_id.id)
        result = {}
        for order in orders:
            result[order.id] = self.latest(
                [self.move(m) for m in order.order_line.move_ids]
                + [self.production(p) for p in tops_by_order.get(order.id, ())]
                + [self.allocation(r) for r in rows_by_order.get(order.id, ())]
            )
        return result

    def _search_at_once(self, *models_domains):
        """``search`` of each (model, domain) pair, in one query: the records
        of each, by id."""
        pairs = zip(models_domains[::2], models_domains[1::2], strict=True)
        return search_at_once(
            *[
                item
                for model, domain in pairs
                for item in (model, model._search(domain))
            ]
        )


class SaleOrder(models.Model):
    # pylint: disable=consider-merging-classes-inherited
    _inherit = "sale.order"

    # Datetime, as the commitment date it is compared with and the planned
    # dates (receipts, MO ends) it is made of: no rounding to a day in a
    # timezone the server does not know.
    cascade_ready_date = fields.Datetime(
        string="Ready Date",
        readonly=True,
        copy=False,
        help="When this order can ship, given the current planned dates of "
        "everything bought or made for it (its make-to-order cascade at every "
        "level and the supply allocated to it), each taken no earlier than it "
        "can really arrive. Empty when nothing is bought or made for it.",
    )
    cascade_late = fields.Boolean(
        string="Late Make-to-Order",
        compute="_compute_cascade_late",
        store=True,
        help="The ready date is after the delivery date promised to the customer "
        "(the commitment date, else the expected date).",
    )

    @api.depends("cascade_ready_date", "commitment_date", "expected_date")
    def _compute_cascade_late(self):
        for order in self:
            promised = order.commitment_date or order.expected_date
            order.cascade_late = bool(
                order.cascade_ready_date
                and promised
                and order.cascade_ready_date > promised
            )

    def _action_confirm(self):
        """The ready dates of the confirmed orders, and of the orders whose
        supply the confirmation rescheduled, once at the end."""
        with ready_batch(self.env):
            res = super()._action_confirm()
            self._cascade_ready_defer(self)
        return res

    @api.model
    def _cascade_ready_defer(self, records):
        """Leave the ready dates that ``records`` (sales orders, or supplies
        just rescheduled) change to the open ``ready_batch``: False when none
        is open."""
        slipped = self.env.cr.cache.get(SLIPS)
        if slipped is None:
            return False
        slipped.append((records._name, records.ids))
        return True

    @api.model
    def _cascade_ready_slipped(self, slipped):
        """Recompute once the ready dates ``ready_batch`` collected: sales
        orders confirmed in it quietly, the orders of rescheduled supplies
        with a note for those now late."""
        ids = {}
        for model, record_ids in slipped:
            ids.setdefault(model, set()).update(record_ids)
        # sudo: see _cascade_ready_refresh (the supplies of every company).
        confirmed = self.sudo().browse(sorted(ids.pop(self._name, ())))
        late = self.sudo().browse()
        for model, record_ids in ids.items():
            supplies = self.env[model].sudo().browse(sorted(record_ids)).exists()
            late |= supplies._mto_ready_slip_orders()
        late._cascade_ready_refresh(notify=True)
        (confirmed - late)._cascade_ready_refresh()

    def _cascade_ready_refresh(self, notify=False):
        """Recompute the ready dates of these orders in one batch; with
        ``notify``, tell the salesperson of each newly late order (and the MOs
        of the late chain)."""
        # sudo: the walk reads purchases, MOs and moves the salesperson may not
        # read; it only writes the order's own ready date.
        orders = self.sudo().filtered(lambda o: o.state == "sale")
        if not orders:
            return
        was_late = {order.id: order.cascade_late for order in orders}
        readiness = ReadyWalk(orders.env, fields.Datetime.now()).orders(orders)
        for order in orders:
            ready = readiness[order.id]
            new_date = ready[0] if ready else False
            if order.cascade_ready_date != new_date:
                order.cascade_ready_date = new_date
        if not notify:
            return
        for order in orders.filtered(lambda o: o.cascade_late and not was_late[o.id]):
            order._cascade_notify_late(readiness[order.id][1])

    def _cascade_notify_late(self, chain):
        """One To-Do for the salesperson, the same note on the MOs above the
        late supply."""
        self.ensure_one()
        note = self._cascade_late_note(chain[0])
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=_("Late make-to-order supply"),
            note=note,
            user_id=(self.user_id or self.env.user).id,
        )
        productions = self.env["mrp.production"].concat(
            *[record for record in chain[1:] if record._name == "mrp.production"]
        )
        for production in productions:
            production.message_post(body=note, subtype_xmlid="mail.mt_note")

    def _cascade_late_note(self, supply):
        promised = self.commitment_date or self.expected_date
        days = math.ceil((self.cascade_ready_date - promised).total_seconds() / 86400)
        return _(
            "%(supply)s is late: %(order)s can only be ready on %(date)s, "
            "%(days)s days after the date promised to the customer.",
            supply=self._cascade_supply_label(supply),
            order=self.name,
            date=format_datetime(
                self.env,
                self.cascade_ready_date,
                tz=self.user_id.tz or self.env.user.tz or "UTC",
                dt_format="short",
            ),
            days=days,
        )

    @api.model
    def _cascade_supply_label(self, supply):
        if supply._name == "purchase.order.line":
            return _(
                "The purchase %(purchase)s of %(product)s",
                purchase=supply.order_id.name,
                product=supply.product_id.display_name,
            )
        return _(
            "The manufacturing order %(production)s of %(product)s",
            production=supply.name,
            product=supply.product_id.display_name,
        )

    # ------------------------------------------------------------ slips
    @api.model
    def _cascade_orders_of_productions(self, productions):
        """Orders whose cascade or allocations contain these MOs (batched)."""
        # sudo: see _cascade_ready_refresh.
        productions = productions.sudo()
        every = productions | productions._cascade_ancestors().sudo()
        orders = every.procurement_group_id.sale_id | every.sale_line_id.order_id
        finished = every.move_finished_ids
        orders |= self._cascade_orders_of_moves(finished.move_dest_ids)
        rows = (
            self.env["mto.replenishment.allocation"]
            .sudo()
            .search(
                [
                    "|",
                    ("production_id", "in", every.ids),
                    ("parent_production_id", "in", every.ids),
                ]
            )
        )
        return orders | rows.sale_order_id

    @api.model
    def _cascade_orders_of_moves(self, moves):
        """Orders served by these moves or the moves they feed (batched)."""
        # sudo: see _cascade_ready_refresh.
        moves = moves.sudo()
        orders = self.env["sale.order"].sudo()
        productions = self.env["mrp.production"].sudo()
        seen = moves.browse()
        while moves:
            seen |= moves
            orders |= moves.sale_line_id.order_id
            productions |= moves.raw_material_production_id
            moves = moves.move_dest_ids - seen
        if productions:
            orders |= self._cascade_orders_of_productions(productions)
        return orders

    @api.model
    def _cascade_orders_of_purchase_lines(self, lines):
        # sudo: see _cascade_ready_refresh.
        lines = lines.sudo()
        orders = self._cascade_orders_of_moves(lines.move_dest_ids | lines.move_ids)
        rows = (
            self.env["mto.replenishment.allocation"]
            .sudo()
            .search([("purchase_line_id", "in", lines.ids)])
        )
        orders |= rows.sale_order_id
        parents = rows.parent_production_id
        # sudo: MOs whose components from stock triggered these lines.
        parents |= (
            self.env["mrp.production"]
            .sudo()
            .search([("cascade_replenishment_purchase_line_ids", "in", lines.ids)])
        )
        if parents:
            orders |= self._cascade_orders_of_productions(parents)
        return orders
