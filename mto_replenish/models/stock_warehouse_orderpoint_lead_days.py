# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's lead days of many reordering rules at once, from plain values.

Odoo asks ``stock.rule._get_lead_days`` once per reordering rule, and each call
walks the rules, chooses the product's vendor and reads the companies' lead
times record by record. When that method is Odoo's own, the same delays are
added up here from values read once per batch, in the order Odoo's overrides
add them (see ``LEAD_DAYS_PARTS``); the vendor is still asked of
``_select_seller`` (answered for the batch, see ``LeadDays.seller``).
Otherwise (another addon overrides ``_get_lead_days``) each rule's
``_get_lead_days`` answers.
"""

from collections import defaultdict

from odoo import api, models

from ..tools.batch import cached_columns, fetch_all

#: The modules whose ``stock.rule._get_lead_days`` the batch follows, with the
#: method of ``_LeadDays`` that adds their part of the delays.
LEAD_DAYS_PARTS = {
    "odoo.addons.stock.models.stock_rule": "route",
    "odoo.addons.purchase_stock.models.stock_rule": "buy",
    "odoo.addons.mrp.models.stock_rule": "manufacture",
}

#: The modules whose ``stock.warehouse.orderpoint._compute_days_to_order``
#: the batch follows, and what each sets.
DAYS_TO_ORDER_PARTS = {
    "odoo.addons.stock.models.stock_orderpoint": "none",
    "odoo.addons.purchase_stock.models.stock": "buy",
    "odoo.addons.mrp.models.stock_orderpoint": "manufacture",
}

#: What the batch reads of the rules and the BoMs.
RULE_FIELDS = ["action", "delay", "company_id", "picking_type_id", "location_dest_id"]
BOM_FIELDS = ["type", "produce_delay", "days_to_prepare_mo"]


class NotPlain(Exception):
    """A rule set the batch does not add up (Odoo's method raises on it, or
    answers from records the batch did not read): Odoo's method answers."""


def plain_columns(records, fnames):
    """``cached_columns`` with the values of the fields that are not
    relational as reading the records gives them (0 for a null integer, 0.0
    for a null float, False for a null selection or date)."""
    # (all the columns reading one field fetches: the records are read next
    # as Odoo's method would read them, prefetching them)
    missing = [
        fname
        for fname in fnames
        if any(records.env.cache.get_missing_ids(records, records._fields[fname]))
    ]
    if missing:
        fetch_all(records)
    columns = cached_columns(records, fnames)
    for fname in fnames:
        field = records._fields[fname]
        if not field.relational:
            columns[fname] = [
                field.convert_to_record(value, records) for value in columns[fname]
            ]
    return columns


def plain_column(records, fname):
    """{record id: value} of one field of ``records`` (``plain_columns``)."""
    return dict(zip(records._ids, plain_columns(records, [fname])[fname], strict=True))


def defining_modules(model, name):
    """The modules defining method ``name`` of ``model``'s class, most
    derived first."""
    modules = (
        getattr(vars(cls)[name], "__module__", None)
        for cls in type(model).__mro__
        if name in vars(cls)
    )
    # (a wrapper of a module's method, e.g. a profiler's, bears its module)
    return list(dict.fromkeys(modules))


class LeadDays:
    """Odoo's lead-days delays of rule sets, from plain values read once.

    ``env``: the environment of the rules (its context is Odoo's: the time
    horizon, ``ignore_vendor_lead_time``); ``parts``: the parts to add, base
    first, as Odoo's overrides of ``_get_lead_days`` add them.
    """

    def __init__(self, env, parts):
        self.env = env
        self.parts = parts
        # The vendor choice asked with the batch memo relayed: Odoo's
        # ``_select_seller`` (or another addon's override of it) answered
        # once per product, from vendor lines read for the whole batch (see
        # product.product _mto_select_seller).
        self.seller_env = env["procurement.group"]._mto_with_batch_memo().env
        self.rules = {}
        self.companies = {}
        self.warehouses = {}
        self.boms = {}
        # orderpoint id -> ids of its rules
        self.rule_sets = {}
        # (product id, company id) -> (vendor delay,) or () for no vendor
        self.sellers = {}
        # (product id, warehouse id) -> ids of the pre-production rules
        self.pre_production = {}
        self.pre_production_by_key = {}

    # ------------------------------------------------------------ reading
    def read_rules(self, rules):
        """Read what the delays need of ``rules`` and their companies."""
        rules = rules.filtered(lambda r: r.id not in self.rules)
        if not rules:
            return
        columns = plain_columns(rules, RULE_FIELDS)
        picking_types = rules.picking_type_id
        type_companies = plain_column(picking_types, "company_id")
        for index, rule_id in enumerate(rules._ids):
            picking_type = columns["picking_type_id"][index]
            self.rules[rule_id] = {
                "action": columns["action"][index],
                "delay": columns["delay"][index],
                "company": columns["company_id"][index],
                "type_company": type_companies.get(picking_type),
                "location": columns["location_dest_id"][index],
            }
        company_ids = {
            value
            for rule in self.rules.values()
            for value in (rule["company"], rule["type_company"])
            if value
        } - set(self.companies)
        companies = self.env["res.company"].browse(company_ids)
        columns = plain_columns(
            companies, ["po_lead", "days_to_purchase", "manufacturing_lead"]
        )
        for index, company_id in enumerate(companies._ids):
            self.companies[company_id] = {
                fname: values[index] for fname, values in columns.items()
            }

    def read_warehouses(self, rule_ids):
        """Read the warehouses of the destinations of rules read by
        ``read_rules`` (what manufacturing asks of them)."""
        todo = [
            rule_id for rule_id in rule_ids if "warehouse" not in self.rules[rule_id]
        ]
        if not todo:
            return
        locations = self.env["stock.location"].browse(
            {self.rules[rule_id]["location"] for rule_id in todo} - {None}
        )
        location_warehouses = plain_column(locations, "warehouse_id")
        for rule_id in todo:
            rule = self.rules[rule_id]
            rule["warehouse"] = location_warehouses.get(rule["location"])
        warehouses = self.env["stock.warehouse"].browse(
            set(location_warehouses.values()) - {None} - set(self.warehouses)
        )
        columns = plain_columns(warehouses, ["manufacture_steps", "pbm_route_id"])
        for index, warehouse_id in enumerate(warehouses._ids):
            self.warehouses[warehouse_id] = {
                "steps": columns["manufacture_steps"][index],
                "pbm_route": columns["pbm_route_id"][index],
            }

    def read_boms(self, boms):
        boms = boms.filtered(lambda b: b.id not in self.boms)
        columns = plain_columns(boms, BOM_FIELDS)
        for index, bom_id in enumerate(boms._ids):
            self.boms[bom_id] = {
                fname: values[index] for fname, values in columns.items()
            }

    # ------------------------------------------------------------ delays
    def delays(self, rule_ids, product, values):
        """Odoo's ``rules._get_lead_days(product, **values)[0]`` (the rules
        read by ``read_rules``)."""
        delays = defaultdict(float)
        for part in self.parts:
            getattr(self, part)(delays, rule_ids, product, values)
        return delays

    def seller(self, product, company_id):
        """(delay,) of the vendor Odoo chooses for the lead days of
        ``product`` bought by ``company_id`` (``_select_seller``, as Odoo's
        ``_get_lead_days`` asks it), or ()."""
        key = (product.id, company_id)
        if key not in self.sellers:
            seller = (
                product.with_env(self.seller_env)
                .with_company(company_id)
                ._select_seller(quantity=None)
            )
            self.sellers[key] = tuple(seller[:1].mapped("delay"))
        return self.sellers[key]

    def _of_action(self, rule_ids, action):
        return [
            rule_id for rule_id in rule_ids if self.rules[rule_id]["action"] == action
        ]

    def route(self, delays, rule_ids, product, values):
        """stock: the delays of the pull rules and the time horizon."""
        delays["total_delay"] += sum(
            self.rules[rule_id]["delay"]
            for rule_id in rule_ids
            if self.rules[rule_id]["action"] in ("pull", "pull_push")
        )
        horizon = self.env.context.get("global_visibility_days", 0)
        if horizon:
            delays["total_delay"] += int(horizon)

    def buy(self, delays, rule_ids, product, values):
        """purchase_stock: the vendor's delay, the company's purchase security
        lead time and days to purchase."""
        buy_ids = self._of_action(rule_ids, "buy")
        if not buy_ids:
            return
        if len(buy_ids) > 1:
            raise NotPlain()
        rule = self.rules[buy_ids[0]]
        if "supplierinfo" in values and values["supplierinfo"]:
            seller = (values["supplierinfo"][0].delay,)
        else:
            seller = self.seller(product, rule["company"])
        if not seller:
            return
        if not self.env.context.get("ignore_vendor_lead_time"):
            delays["total_delay"] += seller[0]
            delays["purchase_delay"] += seller[0]
        security = (
            self.companies[rule["type_company"]]["po_lead"]
            if rule["type_company"]
            else 0
        )
        delays["total_delay"] += security
        delays["security_lead_days"] += security
        days_to_order = (
            self.companies[rule["company"]]["days_to_purchase"]
            if rule["company"]
            else 0
        )
        delays["total_delay"] += days_to_order

    def manufacture(self, delays, rule_ids, product, values):
        """mrp: the BoM's produce delay, the pre-production rules' delays, the
        company's manufacturing security lead time and days to prepare the
        MO."""
        manufacture_ids = self._of_action(rule_ids, "manufacture")
        if not manufacture_ids:
            return
        if len(manufacture_ids) > 1 or not values.get("bom"):
            raise NotPlain()
        bom = self.boms[values["bom"].id]
        delays["total_delay"] += bom["produce_delay"]
        delays["manufacture_delay"] += bom["produce_delay"]
        if bom["type"] == "normal":
            if any("warehouse" not in self.rules[rule_id] for rule_id in rule_ids):
                raise NotPlain()
            for warehouse_id in self._first_seen(rule_ids, "warehouse"):
                warehouse = self.warehouses[warehouse_id]
                if warehouse["steps"] != "mrp_one_step":
                    key = (product.id, warehouse_id)
                    if key not in self.pre_production:
                        raise NotPlain()
                    extra_ids = [
                        rule_id
                        for rule_id in self.pre_production[key]
                        if rule_id not in rule_ids
                    ]
                    for key, value in self.delays(extra_ids, product, values).items():
                        delays[key] += value
            for company_id in self._first_seen(rule_ids, "type_company"):
                security = self.companies[company_id]["manufacturing_lead"]
                delays["total_delay"] += security
                delays["security_lead_days"] += security
        delays["total_delay"] += values.get("days_to_order", bom["days_to_prepare_mo"])

    def _first_seen(self, rule_ids, key):
        """The distinct non-empty values of ``key`` of the rules, in order."""
        seen = {}
        for rule_id in rule_ids:
            value = self.rules[rule_id][key]
            if value:
                seen.setdefault(value, None)
        return list(seen)


class StockWarehouseOrderpoint(models.Model):
    """Odoo's lead days of many reordering rules at once."""

    # pylint: disable=consider-merging-classes-inherited
    _inherit = "stock.warehouse.orderpoint"

    @api.model
    def _mto_lead_days_parts(self):
        """The parts of ``stock.rule._get_lead_days``, base first, when every
        override of it is one of Odoo's that ``LeadDays`` adds up; else None
        (another addon, or mrp_subcontracting_purchase, overrides it)."""
        modules = defining_modules(self.env["stock.rule"], "_get_lead_days")
        if any(module not in LEAD_DAYS_PARTS for module in modules):
            return None
        return [LEAD_DAYS_PARTS[module] for module in reversed(modules)]

    def _mto_lead_delays_plain(self, values_by_op, parts):
        """{orderpoint: Odoo's lead-days delays} of these rules, added up by
        ``LeadDays`` (``values_by_op``: the values of ``_get_lead_days`` of
        each, ``parts``: ``_mto_lead_days_parts``)."""
        batch = LeadDays(self.env, parts)
        # the rules of each orderpoint, taken once
        batch.rule_sets = {
            orderpoint.id: orderpoint.rule_ids._ids for orderpoint in self
        }
        batch.read_rules(self.rule_ids)
        boms = self.env["mrp.bom"].concat(
            *(values["bom"] for values in values_by_op.values() if values.get("bom"))
        )
        batch.read_boms(boms)
        if "manufacture" in parts:
            self._mto_lead_days_pre_production(batch, values_by_op)
        result = {}
        for orderpoint in self:
            values = values_by_op[orderpoint]
            try:
                result[orderpoint] = batch.delays(
                    batch.rule_sets[orderpoint.id], orderpoint.product_id, values
                )
            except NotPlain:
                result[orderpoint] = orderpoint.rule_ids._get_lead_days(
                    orderpoint.product_id, **values
                )[0]
        return result

    def _mto_lead_days_pre_production(self, batch, values_by_op):
        """The pre-production rules of each (product, warehouse) that a
        manufacture rule of these rules with a normal BoM asks for, looked up
        once per distinct product configuration."""
        for orderpoint in self:
            bom = values_by_op[orderpoint].get("bom")
            rule_ids = batch.rule_sets[orderpoint.id]
            if (
                not bom
                or batch.boms[bom.id]["type"] != "normal"
                or not batch._of_action(rule_ids, "manufacture")
            ):
                continue
            product = orderpoint.product_id
            batch.read_warehouses(rule_ids)
            for warehouse_id in batch._first_seen(rule_ids, "warehouse"):
                warehouse = batch.warehouses[warehouse_id]
                if warehouse["steps"] == "mrp_one_step":
                    continue
                location = product.property_stock_production
                template = product.product_tmpl_id
                key = (
                    location.id,
                    warehouse["pbm_route"],
                    frozenset(template.route_ids.ids),
                    frozenset(template.categ_id.total_route_ids.ids),
                )
                if key not in batch.pre_production_by_key:
                    rules = product._get_rules_from_location(
                        location,
                        route_ids=self.env["stock.route"].browse(
                            warehouse["pbm_route"]
                        ),
                    )
                    batch.read_rules(rules)
                    batch.pre_production_by_key[key] = rules._ids
                batch.pre_production[(product.id, warehouse_id)] = (
                    batch.pre_production_by_key[key]
                )

    # ------------------------------------------------------------ days to order
    def _compute_days_to_order(self):
        """Odoo's days to order (see ``DAYS_TO_ORDER_PARTS``), set once per
        rule from plain values: the BoMs are only read for rules that
        manufacture, the companies' days to purchase once. Another addon's
        override of it: Odoo's methods answer."""
        parts = self._mto_days_to_order_parts()
        if parts is None:
            return super()._compute_days_to_order()
        Rule = self.env["stock.rule"]
        # (Odoo's guards: no rule of the kind, nothing changed)
        buy = "buy" in parts and bool(Rule.search([("action", "=", "buy")], limit=1))
        manufacture = "manufacture" in parts and bool(
            Rule.search([("action", "=", "manufacture")], limit=1)
        )
        days_to_purchase = {}
        if buy:
            companies = self.company_id
            days_to_purchase = plain_column(companies, "days_to_purchase")
        for orderpoint in self:
            days = 0
            actions = (
                set(orderpoint.rule_ids.mapped("action")) if buy or manufacture else ()
            )
            for part in parts:
                if part == "buy" and buy and "buy" in actions:
                    days = days_to_purchase.get(orderpoint.company_id.id, 0.0)
                elif part == "manufacture" and manufacture and "manufacture" in actions:
                    product = orderpoint.product_id
                    boms = product.variant_bom_ids or product.bom_ids
                    if boms:
                        days = boms[0].days_to_prepare_mo or 0
            orderpoint.days_to_order = days

    @api.model
    def _mto_days_to_order_parts(self):
        """The parts of Odoo's ``_compute_days_to_order``, base first, when
        only Odoo's modules (and this one) define it; else None."""
        modules = defining_modules(self, "_compute_days_to_order")
        if modules[0] != __name__ or any(
            module not in DAYS_TO_ORDER_PARTS for module in modules[1:]
        ):
            return None
        return [DAYS_TO_ORDER_PARTS[module] for module in reversed(modules[1:])]
