# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools.relay import received, relay

#: Product fields whose change can add or remove per-order (0/0/1) rules.
PER_ORDER_SYNC_FIELDS = frozenset(
    {"route_ids", "active", "is_storable", "type", "company_id"}
)


def per_order_route_actions(route):
    """Set of the stock.rule actions of a route ("buy", "manufacture", ...)."""
    return set(route.rule_ids.mapped("action"))


class ProductTemplate(models.Model):
    _inherit = "product.template"

    per_order_warning = fields.Text(
        string="Per-order Replenishment Warning",
        compute="_compute_per_order_warning",
        help="Why the per-order (0/0/1) replenishment of this product would not work "
        "as expected, and how to fix it.",
    )
    # The promise of a product without variants, shown in its Inventory tab (a
    # product with variants shows it on each variant's form).
    promise_days = fields.Float(
        string="Promise (days)",
        compute="_compute_promise",
        help="Promise (days): days from an order placed today to the delivery of "
        "one unit (first variant).",
    )
    promise_path = fields.Text(
        string="Promise Critical Path", compute="_compute_promise"
    )
    promise_timeline = fields.Json(
        string="Critical Path Timeline", compute="_compute_promise"
    )

    @api.depends("product_variant_ids.promise_days")
    def _compute_promise(self):
        for template in self:
            variant = template.product_variant_ids[:1]
            template.promise_days = variant.promise_days
            template.promise_path = variant.promise_path
            template.promise_timeline = variant.promise_timeline

    @api.depends(
        "route_ids",
        "is_storable",
        "type",
        "seller_ids",
        "seller_ids.product_id",
        "bom_ids",
        "bom_ids.type",
        "bom_ids.product_id",
        "categ_id",
    )
    def _compute_per_order_warning(self):
        concerned = self.filtered(lambda t: t._per_order_is_ticked())
        origins = concerned._origin.filtered("id")
        with_rules = set()
        if origins:
            with_rules = set(
                self.env["stock.warehouse.orderpoint"]
                .search(
                    [
                        ("product_id.product_tmpl_id", "in", origins.ids),
                        ("is_per_order", "=", True),
                    ]
                )
                .product_id.product_tmpl_id.ids
            )
        rule_owners = self.filtered(lambda t: t._origin.id in with_rules)
        conflicts = (concerned | rule_owners)._per_order_get_conflicts(
            include_hand_made=True
        )
        for template in self:
            messages = conflicts.get(template)
            template.per_order_warning = "\n".join(messages) if messages else False

    @api.model_create_multi
    def create(self, vals_list):
        templates = super(
            ProductTemplate, self.with_context(**relay(per_order_skip_sync=True))
        ).create(vals_list)
        templates = templates.with_env(self.env)
        if not received(self.env.context, "per_order_skip_sync") and any(
            PER_ORDER_SYNC_FIELDS & set(vals) for vals in vals_list
        ):
            self._per_order_notify(
                templates.with_context(
                    active_test=False
                ).product_variant_ids._per_order_sync_rules()
            )
        return templates

    def write(self, vals):
        res = super(
            ProductTemplate, self.with_context(**relay(per_order_skip_sync=True))
        ).write(vals)
        if not received(self.env.context, "per_order_skip_sync") and (
            PER_ORDER_SYNC_FIELDS & set(vals)
        ):
            self._per_order_notify(
                self.with_context(
                    active_test=False
                ).product_variant_ids._per_order_sync_rules()
            )
        return res

    def action_create_per_order_rules(self):
        """Tick the per-order route on these products and create their 0/0/1 rules.

        Product by product: a product that cannot be replenished per order is
        refused with its reason and the others are done. Rules made by hand are
        left alone and listed in the result. Selections larger than the
        company's scheduler batch size run in the background (``mto.bulk.run``).
        """
        self.check_access("write")
        return self.env["mto.bulk.run"]._mto_bulk_start("per_order_rules", self)

    def _per_order_bulk_create_rules(self):
        """The work of ``action_create_per_order_rules``.

        :return: ({template: None or the reason it was refused}, summary,
            whether the summary asks for attention)
        """
        templates = self.with_context(active_test=False)
        conflicts = templates._per_order_get_conflicts()
        outcome = {
            template: "\n".join(messages) for template, messages in conflicts.items()
        }
        reports = []
        outcome.update(
            self.env["mto.bulk.run"]._mto_bulk_apply(
                templates.filtered(lambda t: t not in conflicts),
                lambda todo: reports.append(todo._per_order_create_rules_now()),
            )
        )
        summary, left_alone = self._per_order_reports_message(reports)
        return outcome, summary, left_alone

    def _per_order_create_rules_now(self):
        """Tick the per-order route and synchronise the 0/0/1 rules of these
        products (free of conflicts); return the synchronisation report."""
        route = self._per_order_default_route()
        missing = self.filtered(lambda t: not t._per_order_is_ticked())
        missing.with_context(**relay(per_order_skip_sync=True)).write(
            {"route_ids": [fields.Command.link(route.id)]}
        )
        return self.product_variant_ids._per_order_sync_rules()

    @api.model
    def _per_order_reports_message(self, reports):
        """One message for the synchronisation reports of a bulk action (the
        reports of work rolled back are dropped by the caller's savepoint, but
        stay in ``reports``: only records still existing count).

        :return: (message, whether rules made by hand were left alone)
        """
        if not reports:
            return "", False
        merged = {
            key: self.env["stock.warehouse.orderpoint"]
            .union(*(report[key] for report in reports))
            .exists()
            for key in ("created", "reactivated", "adopted", "left_alone")
        }
        message = self._per_order_report_message(merged)
        if merged["left_alone"]:
            message += "\n" + "\n".join(
                rule._per_order_hand_made_message() for rule in merged["left_alone"]
            )
        return message, bool(merged["left_alone"])

    # ------------------------------------------------------------------ helpers
    def _per_order_is_ticked(self):
        """True when one of the product's routes is a per-order route."""
        self.ensure_one()
        return any(route.is_per_order for route in self.route_ids)

    @api.model
    def _per_order_default_route(self):
        route = self.env.ref("mto_replenish.route_per_order", raise_if_not_found=False)
        if not route or not route.active:
            route = self.env["stock.route"].search(
                [("is_per_order", "=", True), ("product_selectable", "=", True)],
                limit=1,
            )
        if not route:
            raise UserError(
                _(
                    "There is no active per-order route. Unarchive the route "
                    "'Replenish per Order (0/0/1)' in Inventory > Configuration > "
                    "Routes, or flag one of your routes as per-order."
                )
            )
        return route

    def _per_order_warehouses(self):
        """Active warehouses where these products keep their 0/0/1 rules: those of
        the products' companies, of every company when one product has none.

        Returned in sudo mode: the per-order route is a product setting, so the
        rules are kept in every company of the product, including companies the
        acting user has not selected or may not access.
        """
        domain = [("active", "=", True)]
        if self and all(template.company_id for template in self):
            domain.append(("company_id", "in", self.company_id.ids))
        # sudo: see the docstring; only used to keep and report per-order rules.
        return (
            self.env["stock.warehouse"]
            .sudo()
            .with_context(active_test=True)
            .search(domain, order="company_id, sequence, id")
        )

    def _per_order_supply_route(self, warehouse):
        """Route the 0/0/1 rules of this product use in ``warehouse``: Buy first,
        then Manufacture, among the product's and its category's routes."""
        self.ensure_one()
        routes = (self.route_ids | self.categ_id.total_route_ids).filtered(
            lambda r: not r.is_per_order
        )
        for action in ("buy", "manufacture"):
            for route in routes.sorted(lambda r: (r.sequence, r.id)):
                if any(
                    rule.action == action
                    and (not rule.warehouse_id or rule.warehouse_id == warehouse)
                    for rule in route.rule_ids
                ):
                    return route
        return self.env["stock.route"]

    @api.model
    def _per_order_mto_routes(self):
        routes = (
            self.env["stock.warehouse"]
            .with_context(active_test=False)
            .search([])
            .mto_pull_id.route_id
        )
        mto = self.env.ref("stock.route_warehouse0_mto", raise_if_not_found=False)
        return routes | (mto or routes.browse())

    def _per_order_get_conflicts(self, include_hand_made=False, fixing_rules=None):
        """{template: [message]} for the products that cannot be replenished per
        order as they are. Each message names the product and the fix.

        The queries do not depend on the number of products.
        """
        result = defaultdict(list)
        if not self:
            return result
        mto_routes = self._per_order_mto_routes()
        warehouses = self._per_order_warehouses()
        origins = self._origin.filtered("id")
        # sudo: the rules are kept in every company of the product (see
        # product.product._per_order_sync_rules), so are the conflicts they raise.
        rules = self.env["stock.warehouse.orderpoint"].sudo()
        if origins:
            rules = rules.search(
                [
                    ("product_id.product_tmpl_id", "in", origins.ids),
                    ("location_id", "in", warehouses.lot_stock_id.ids),
                ]
            )
        rules_by_template = defaultdict(lambda: rules.browse())
        for rule in rules:
            rules_by_template[rule.product_id.product_tmpl_id.id] |= rule
        for template in self:
            product = template.display_name
            messages = result[template]
            if template.type != "consu" or not template.is_storable:
                messages.append(
                    _(
                        "%(product)s does not track inventory: tick Track Inventory "
                        "in its General Information tab.",
                        product=product,
                    )
                )
            kits = template.bom_ids.filtered(lambda b: b.type == "phantom")
            if kits:
                messages.append(
                    _(
                        "%(product)s is a kit (bill of materials %(bom)s): kits are "
                        "not replenished, their components are. Put the per-order "
                        "(0/0/1) rules on the components, or make the bill of "
                        "materials a normal one.",
                        product=product,
                        bom=kits[0].display_name,
                    )
                )
            if (template.route_ids | template.categ_id.total_route_ids) & mto_routes:
                messages.append(
                    _(
                        "%(product)s also has the route Replenish on Order (MTO): "
                        "each sale would be replenished twice (once by the MTO route, "
                        "once by the per-order (0/0/1) rule). Untick one of the two "
                        "routes.",
                        product=product,
                    )
                )
            own_rules = rules_by_template[template._origin.id]
            for rule in own_rules.filtered("is_per_order") - (
                fixing_rules or rules.browse()
            ):
                if rule.trigger != "auto" or not rule._per_order_is_001():
                    messages.append(
                        _(
                            "%(product)s: the per-order rule %(rule)s (%(location)s) "
                            "is not an automatic per-order (0/0/1) rule any more "
                            "(trigger %(trigger)s, min %(min)s, max %(max)s, multiple "
                            "%(multiple)s), so sales no longer replenish at once. "
                            "Select it in Reordering Rules and use Convert to "
                            "Per-order (0/0/1).",
                            product=product,
                            rule=rule.name,
                            location=rule.location_id.display_name,
                            trigger=rule.trigger,
                            min=rule.product_min_qty,
                            max=rule.product_max_qty,
                            multiple=rule.qty_multiple,
                        )
                    )
            if include_hand_made:
                for rule in own_rules.filtered(
                    lambda r: not r.is_per_order and r.active
                ):
                    messages.append(rule._per_order_hand_made_message())
            if not kits:
                messages.extend(
                    template._per_order_supply_conflicts(
                        warehouses.filtered(
                            lambda w, t=template: not t.company_id
                            or w.company_id == t.company_id
                        ),
                        own_rules,
                        advice=include_hand_made,
                    )
                )
        return {template: msgs for template, msgs in result.items() if msgs}

    def _per_order_supply_conflicts(self, warehouses, rules, advice=False):
        """Messages when the route that replenishes the product cannot work: no
        Buy/Manufacture route, no vendor to buy from, no BoM to manufacture."""
        self.ensure_one()
        product = self.display_name
        routes = rules.filtered("is_per_order").route_id
        if not routes:
            routes = self.env["stock.route"].concat(
                *[self._per_order_supply_route(wh) for wh in warehouses]
            )
        if not routes:
            return [
                _(
                    "%(product)s has neither the Buy nor the Manufacture route: tick "
                    "one of them in its Inventory tab.",
                    product=product,
                )
            ]
        messages = []
        actions = set()
        for route in routes:
            actions |= per_order_route_actions(route)
        if "buy" in actions:
            messages += self._per_order_vendor_conflicts(warehouses, advice=advice)
        normal = self.bom_ids.filtered(lambda b: b.type == "normal")
        if "manufacture" in actions and not normal:
            messages.append(
                _(
                    "%(product)s is manufactured but has no bill of materials: "
                    "create one from its Bill of Materials button.",
                    product=product,
                )
            )
        elif "manufacture" in actions and advice and all(b.product_id for b in normal):
            # bills of materials of some variants only (Odoo's _bom_find)
            messages += [
                _(
                    "%(variant)s is manufactured but has no bill of materials: "
                    "those of %(product)s are for other variants. Create one for "
                    "%(variant)s (or one for every variant) from its Bill of "
                    "Materials button.",
                    variant=variant.display_name,
                    product=product,
                )
                for variant in self.product_variant_ids - normal.product_id
            ]
        return messages

    def _per_order_vendor_conflicts(self, warehouses, advice=False):
        """Messages when no vendor line of the product may be used: a vendor
        line of another company does not count. Without any usable vendor the
        product is refused; with ``advice`` (the product form's warning), each
        company of ``warehouses`` (or the product's own) that has none is named
        too, so its rules are known to fail there."""
        self.ensure_one()
        companies = self.company_id or warehouses.company_id
        missing = companies.filtered(
            lambda company: not self.seller_ids.filtered(
                lambda seller: not seller.company_id or seller.company_id == company
            )
        )
        if not self.seller_ids or (missing and missing == companies):
            return [
                _(
                    "%(product)s is bought but has no vendor: add one in its "
                    "Purchase tab.",
                    product=self.display_name,
                )
            ]
        # Vendor lines of one variant are for that variant alone (Odoo's
        # _prepare_sellers): a variant without a line of its own or of every
        # variant cannot be bought.
        variants = self.product_variant_ids
        uncovered = variants.filtered(
            lambda variant: not self.seller_ids.filtered(
                lambda seller: not seller.product_id or seller.product_id == variant
            )
        )
        if variants and uncovered == variants:
            return [
                _(
                    "%(product)s is bought but has no vendor: add one in its "
                    "Purchase tab.",
                    product=self.display_name,
                )
            ]
        if not advice:
            return []
        return [
            _(
                "%(product)s is bought but has no vendor for the company "
                "%(company)s: its vendor lines belong to other companies. Add a "
                "vendor line for %(company)s (or one without a company) in its "
                "Purchase tab.",
                product=self.display_name,
                company=company.name,
            )
            for company in missing
        ] + [
            _(
                "%(variant)s is bought but has no vendor: the vendor lines of "
                "%(product)s are for other variants. Add a vendor line for "
                "%(variant)s (or one for every variant) in its Purchase tab.",
                variant=variant.display_name,
                product=self.display_name,
            )
            for variant in uncovered
        ]

    @api.model
    def _per_order_format_conflicts(self, conflicts):
        return "\n".join(
            f"- {message}"
            for template in sorted(conflicts, key=lambda t: t.display_name or "")
            for message in conflicts[template]
        )

    @api.model
    def _per_order_report_message(self, report):
        """How many 0/0/1 rules a synchronisation report made, and where."""
        made = report["created"] | report["reactivated"] | report["adopted"]
        return _(
            "%(made)s per-order (0/0/1) rule(s) made in %(warehouses)s warehouse(s) of "
            "%(companies)s company(ies): %(created)s created, %(reactivated)s "
            "reactivated, %(adopted)s taken over from the replenishment report.",
            made=len(made),
            warehouses=len(made.warehouse_id),
            companies=len(made.company_id),
            created=len(report["created"]),
            reactivated=len(report["reactivated"]),
            adopted=len(report["adopted"]),
        )

    @api.model
    def _per_order_notify(self, report):
        """Tell the acting user in the web client how many 0/0/1 rules a change
        (ticking the route on a product) made, when it made some."""
        made = report["created"] | report["reactivated"] | report["adopted"]
        if not made or self.env.uid == api.SUPERUSER_ID:
            return
        self.env.user._bus_send(
            "simple_notification",
            {
                "title": _("Per-order (0/0/1) reordering rules"),
                "message": self._per_order_report_message(report),
                "type": "success",
                "sticky": False,
            },
        )

    @api.model
    def _per_order_notification(self, report):
        """Client notification summing up a synchronisation report."""
        left_alone = report["left_alone"]
        message = self._per_order_report_message(report)
        if left_alone:
            message += "\n" + "\n".join(
                rule._per_order_hand_made_message() for rule in left_alone
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Per-order (0/0/1) reordering rules"),
                "message": message,
                "type": "warning" if left_alone else "success",
                "sticky": bool(left_alone),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
