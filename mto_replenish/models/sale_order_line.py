# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import math

from odoo import _, api, fields, models
from odoo.tools import float_compare


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    promise_date = fields.Datetime(
        compute="_compute_promise_date",
        help="When the customer can have the goods of this line: the order date "
        "plus the promise in days.",
    )
    promise_days = fields.Float(
        string="Promise (days)",
        compute="_compute_promise_date",
        digits=(16, 1),
        help="max(customer lead time, R) + the company's sales security lead "
        "time, where R, the days until the goods are ready, is the cascade "
        "through the bill of materials for a make-to-order line; for any other "
        "line 0 when the warehouse's forecast covers the quantity (the order's "
        "lines taking from it in their order), else the product's replenishment "
        "time.",
    )

    promise_timeline = fields.Json(
        string="Critical Path Timeline",
        compute="_compute_promise_date",
        help="The promise of this line as a timeline: the critical path, the "
        "outgoing delays and the security lead time, in days from the order date.",
    )

    @api.depends(
        "product_id",
        "product_uom_qty",
        "product_uom",
        "route_id",
        "customer_lead",
        "order_id.date_order",
        "order_id.warehouse_id",
        "order_id.company_id.security_lead",
        "order_id.order_line.product_id",
        "order_id.order_line.product_uom_qty",
    )
    def _compute_promise_date(self):
        self.promise_date = False
        self.promise_days = 0.0
        self.promise_timeline = False
        for order in self.order_id:
            for line, explanation in order.order_line._promise_explain_order():
                if line in self:
                    line.promise_days = explanation["days"]
                    line.promise_date = explanation["datetime"]
                    line.promise_timeline = line._promise_timeline_data(explanation)

    def explain_promise(self):
        """The promise of this line, term by term.

        :return: a JSON-serialisable dict: ``days`` and ``date`` (the promise),
            ``ready_days`` (R) with its ``path`` through the BoM and whether it
            comes ``from_stock``, ``outgoing_days``, ``customer_lead``,
            ``security_lead``, and ``terms``: (label, days) of each term, the
            path's steps first
        """
        self.ensure_one()
        self.check_access("read")
        for line, explanation in self.order_id.order_line._promise_explain_order():
            if line == self:
                explanation = dict(explanation)
                explanation["date"] = fields.Datetime.to_string(
                    explanation.pop("datetime")
                )
                return explanation
        return {}

    def _promise_explain_order(self):
        """[(line, explanation)] for the lines of one order that carry goods, in
        the order's sequence: they compete for stock in that order.

        promise = max(customer lead time, R + outgoing route delays) + the
        company's sales security lead time (see ``tools/promise.py``).
        """
        order = self.order_id
        order.ensure_one()
        lines = self.filtered(
            lambda line: not line.display_type
            and line.product_id
            and line.product_id.type == "consu"
        ).sorted(lambda line: (line.sequence, line._origin.id or 0))
        if not lines:
            return []
        readies = lines._promise_explanations()
        security = order.company_id.security_lead or 0.0
        start = order.date_order or fields.Datetime.now()
        labels = {
            "manufacture": _("manufacture"),
            "buy": _("buy"),
            "stock": _("from stock"),
            "kit": _("kit"),
            "none": _("cannot be replenished"),
            "prepare": _("days to prepare the MO"),
        }
        warehouses = lines.warehouse_id | order.warehouse_id
        with_delays = warehouses.filtered(lambda w: w._promise_has_route_delays())
        result = []
        for line, ready in zip(lines, readies, strict=True):
            warehouse = line.warehouse_id or order.warehouse_id
            outgoing = (
                line._promise_outgoing_delays() if warehouse in with_delays else 0.0
            )
            customer_lead = line.customer_lead or 0.0
            days = max(customer_lead, ready["days"] + outgoing) + security
            terms = []
            for step in ready["path"]:
                label = labels.get(step["replenish"], step["replenish"])
                route_days = step.get("route_days", 0.0)
                terms.append((f"{step['product']}: {label}", step["days"] - route_days))
                if route_days:
                    terms.append(
                        (
                            _("%(product)s: route transfers", product=step["product"]),
                            route_days,
                        )
                    )
            terms += [
                (_("Outgoing route delays"), outgoing),
                (_("Customer lead time (at least)"), customer_lead),
                (_("Sales security lead time"), security),
            ]
            result.append(
                (
                    line,
                    {
                        "days": days,
                        "datetime": fields.Datetime.add(
                            start, days=math.ceil(days - 1e-9)
                        ),
                        "ready_days": ready["days"],
                        "from_stock": ready.get("from_stock", False),
                        "path": ready["path"],
                        "missing": ready["missing"],
                        "outgoing_days": outgoing,
                        "customer_lead": customer_lead,
                        "security_lead": security,
                        "terms": terms,
                    },
                )
            )
        return result

    def _promise_timeline_data(self, explanation):
        """The timeline of one line's explanation (``_promise_explain_order``):
        its path, then the terms added after the goods are ready."""
        ready = explanation["ready_days"]
        outgoing = explanation["outgoing_days"]
        customer_lead = explanation["customer_lead"]
        security = explanation["security_lead"]
        extra = []
        if outgoing:
            extra.append((_("Outgoing route delays"), ready, ready + outgoing))
        if customer_lead > ready + outgoing:
            extra.append((_("Customer lead time (at least)"), 0.0, customer_lead))
        if security:
            start = max(customer_lead, ready + outgoing)
            extra.append((_("Sales security lead time"), start, start + security))
        return self.env["product.product"]._promise_timeline_data(
            explanation["path"], explanation["days"], extra=extra
        )

    def _promise_explanations(self):
        """``explain_promise`` of the products of these lines of one order: R,
        the days until the goods are ready."""
        order = self.order_id
        order.ensure_one()
        warehouse = order.warehouse_id or self.env["product.product"].with_context(
            warehouse_id=False
        )._promise_warehouse(order.company_id)
        requests = [
            (
                line.product_id,
                line.product_uom._compute_quantity(
                    line.product_uom_qty or 1.0, line.product_id.uom_id
                ),
                None,
            )
            for line in self
        ]
        return self.env["product.product"]._promise_explain_many(
            requests,
            warehouse=warehouse,
            made_to_order=[line._cascade_is_mto() for line in self],
            exclude_sale_lines=order.order_line._origin,
        )

    def _promise_outgoing_delays(self):
        """Days the delivery route adds between the warehouse's stock and the
        customer: the delays of the pull rules Odoo chains from the customer's
        location back to the stock, as its lead days count them, and of the push
        rules that take the goods on from the first transfer's destination
        (Odoo 18's pack and ship steps are push rules)."""
        self.ensure_one()
        warehouse = self.warehouse_id or self.order_id.warehouse_id
        stock = warehouse.lot_stock_id
        location = self.order_id.partner_shipping_id.property_stock_customer
        if not (stock and location):
            return 0.0
        Group = self.env["procurement.group"]
        seen = self.env["stock.rule"]
        days = 0.0
        while location:
            rule = Group._get_rule(
                self.product_id,
                location,
                {"route_ids": self.route_id, "warehouse_id": warehouse},
            )
            if not rule or rule in seen or rule.action not in ("pull", "pull_push"):
                break
            seen |= rule
            days += rule.delay
            source = rule.location_src_id
            if (
                not source
                or source.parent_path.startswith(stock.parent_path)
                or rule.procure_method == "make_to_stock"
            ):
                break
            location = source
        # the last rule met leaves the stock: follow the pushes from where its
        # transfer puts the goods
        location = seen[-1:].picking_type_id.default_location_dest_id
        visited = set()
        while location and location.usage == "internal" and location.id not in visited:
            visited.add(location.id)
            push = Group._get_push_rule(
                self.product_id, location, {"warehouse_id": warehouse}
            )[:1]
            if not push:
                break
            days += push.delay
            location = push.location_dest_id
        return days

    # --- The ledger follows the quantity sold ---------------------------------
    def _action_launch_stock_rule(self, previous_product_uom_qty=False):
        """Odoo's, then, when the quantities of confirmed lines were changed
        (``previous_product_uom_qty``, given by ``write``), the ledger rows of
        the lines that went down are cut to what is still sold."""
        res = super()._action_launch_stock_rule(
            previous_product_uom_qty=previous_product_uom_qty
        )
        if previous_product_uom_qty:
            self.filtered(
                lambda line: line.id in previous_product_uom_qty
            )._mto_trim_allocations()
        return res

    def _mto_trim_allocations(self):
        """Cut the per-order and reordering-rule rows of these lines (newest
        first) to the quantity each line still sells, in the product's unit:
        what a lowered line no longer needs is free for other orders, and
        cancelling the order later takes off its supply only what it still
        held. Cascade rows follow their parent MO."""
        # sudo: the ledger is the system's record, kept by whoever may change
        # the order line (a salesperson cannot write it).
        Allocation = self.env["mto.replenishment.allocation"].sudo()
        rows = Allocation.search(
            [("sale_line_id", "in", self.ids), ("kind", "!=", "cascade")]
            + Allocation._mto_open_domain(),
            order="id desc",
        )
        if not rows:
            return
        # (a row too small for its column would be stored as 0)
        digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        for line, line_rows in rows.grouped("sale_line_id").items():
            product_uom = line.product_id.uom_id
            rounding = max(product_uom.rounding, 10**-digits)
            sold = line.product_uom._compute_quantity(
                line.product_uom_qty, product_uom, round=False
            )
            excess = sum(line_rows.mapped("quantity")) - sold
            for row in line_rows:
                if float_compare(excess, 0.0, precision_rounding=rounding) <= 0:
                    break
                cut = min(row.quantity, excess)
                excess -= cut
                left = row.quantity - cut
                if float_compare(left, 0.0, precision_rounding=rounding) <= 0:
                    row.unlink()
                else:
                    row.quantity = left

    def _expected_date(self):
        # with the company setting, the order's expected (delivery) date is the
        # promise
        if self.order_id.company_id.promise_apply_commitment and self.promise_date:
            return self.promise_date
        return super()._expected_date()

    def _cascade_is_mto(self):
        """Whether Odoo procures this line on order (make-to-order route on the
        line or on the product)."""
        self.ensure_one()
        if not self.product_id or self.product_id.type != "consu":
            return False
        rule = self.order_id.warehouse_id.mto_pull_id
        product = self.product_id
        routes = self.route_id | product.route_ids | product.categ_id.total_route_ids
        # The route of the warehouse's make-to-order rule is among them when
        # the rule is among theirs (archived or not): the routes' rules are read
        # (as the procurement reads them next), not the rule itself.
        return bool(rule) and rule in routes.with_context(active_test=False).rule_ids

    def _cascade_problems(self):
        """Messages for the lines whose make-to-order cascade would fail."""
        errors = []
        route_kinds = {}  # warehouse: its route kinds, read once
        for line in self:
            if line.display_type or not line._cascade_is_mto():
                continue
            warehouse = line.order_id.warehouse_id
            product = line.product_id
            if warehouse not in route_kinds:
                route_kinds[warehouse] = product._promise_route_kinds(warehouse)
            kinds = route_kinds[warehouse]
            boms = product._cascade_boms(warehouse)
            problem = product._cascade_replenish_problems(
                warehouse, route_kinds=kinds, boms=boms
            ).get(product.id)
            if problem:
                errors.append(
                    _(
                        "%(product)s is made to order but cannot be replenished: "
                        "%(problem)s",
                        product=product.display_name,
                        problem=problem,
                    )
                )
                continue
            kind = product._promise_replenish_kinds(
                warehouse, route_kinds=kinds, boms=boms
            )[product.id]
            bom = boms[product]
            if bom and (bom.type == "phantom" or kind == "manufacture"):
                errors += self.env["sale.order"]._cascade_walk_problems(
                    bom, warehouse, product=product, route_kinds=kinds
                )
        return errors
