"""Benchmark scenarios: data builders and measured operations (run inside Odoo).

Every builder makes the *native* form of its data (what a user of plain Odoo 18
would configure); :func:`prepare_addon` turns it into the addon's form on the
clone of that database where the addon is installed:

- per-order (0/0/1) rule: natively an automatic rule min 0 / max 0 / multiple 1
  with the Buy (or Manufacture) route; with the addon the same rule converted
  with ``action_convert_to_per_order`` (per-order route ticked on the product);
- "on demand" component: natively the product carries the Replenish on Order
  (MTO) route besides Buy/Manufacture; with the addon the MTO route is removed
  from the components and their BoM lines are set to ``supply_method =
  on_demand``.

Nested sizes (S2, S3) share one data set: :func:`set_scope` switches the
rules / demand of the products beyond the size off (rules to manual, demand
moves to draft) with two SQL updates, so the process stays warm from one size
to the next.
"""

import math
import re
from collections import namedtuple
from datetime import datetime

from odoo import Command
from odoo.tools import split_every

CHUNK = 500
BUILD_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_notrack": True,
    "no_reset_password": True,
}
#: Tables whose new rows are reported as "records created".
CREATED_TABLES = (
    ("purchase_order", "POs"),
    ("purchase_order_line", "PO lines"),
    ("mrp_production", "MOs"),
    ("stock_move", "moves"),
    ("stock_warehouse_orderpoint", "rules"),
)

#: Tables of the documents whose names can appear in an origin: a document
#: created by the run gets its own sequence number (native and addon runs
#: consume their sequences differently), so the comparison of records by value
#: names it by its kind.
NAMED_TABLES = (
    ("sale_order", "<sale order>"),
    ("purchase_order", "<purchase order>"),
    ("mrp_production", "<manufacturing order>"),
)

#: ``floor``: None, or the floors of the operation, each a Floor (see
#: worker.measure_floors): its mode in the results; prepare(env, marks) ->
#: state, untimed, after the measured action, in its transaction, before any
#: floor's action; action(env, state), timed. The first floor is the one the
#: targets are measured against.
Op = namedtuple(
    "Op", "scenario name size label prepare action variants floor", defaults=(None,)
)
Floor = namedtuple("Floor", "mode prepare action")


# ---------------------------------------------------------------------- sizes
S1_SIZES = (1, 10, 100, 1000)
S2_SIZES = (1000, 5000, 20000)
S3_SIZES = (1000, 5000)
S4_SIZES = ("2x3", "3x3", "4x3", "2x5", "3x5", "4x5")
S5_SIZES = ("L100", "L1000", "R1000", "R5000")  # BoM lines / rules explained
QUICK = {
    "S1": (1, 10),
    "S2": (100,),
    "S3": (100,),
    "S4": ("2x3",),
    "S5": ("L30", "R100"),
}
DEFAULT = {
    "S1": S1_SIZES,
    "S2": S2_SIZES,
    "S3": S3_SIZES,
    "S4": S4_SIZES,
    "S5": S5_SIZES,
}


def parse_sizes(scenario, sizes):
    """Normalise size labels: numbers; "DxF" for S4; "L<lines>" / "R<rules>" for
    S5 (a bare number there means both). Labels of another scenario's form are
    ignored, so one --sizes list can serve several scenarios."""
    out = []
    for size in sizes:
        size = str(size).strip().upper()
        if scenario == "S5":
            if size.isdigit():
                out += [f"L{size}", f"R{size}"]
            elif size[:1] in ("L", "R") and size[1:].isdigit():
                out.append(size)
        elif scenario == "S4":
            if "X" in size:
                depth, fanout = (int(x) for x in size.replace("D", "").split("X"))
                out.append(f"{depth}x{fanout}")
        elif size.isdigit():
            out.append(int(size))
    return list(dict.fromkeys(out))


def promise_fanouts(lines):
    """Fan-outs of a 5-level BoM tree with about ``lines`` BoM lines."""
    branch = 3 if lines >= 121 else 2
    per_top = sum(branch**level for level in range(5))
    top = max(1, round(lines / per_top))
    return [top] + [branch] * 4


def tree_lines(fanouts):
    total, width = 0, 1
    for fanout in fanouts:
        width *= fanout
        total += width
    return total


# -------------------------------------------------------------------- helpers
class Ctx:
    """References shared by builders and operations."""

    def __init__(self, env):
        self.env = env
        self.company = env.company
        self.warehouse = env["stock.warehouse"].search(
            [("company_id", "=", self.company.id)], limit=1
        )
        self.stock = self.warehouse.lot_stock_id
        self.customers = env.ref("stock.stock_location_customers")
        self.route_buy = env.ref("purchase_stock.route_warehouse0_buy")
        self.route_manufacture = env.ref("mrp.route_warehouse0_manufacture")
        self.route_mto = env.ref("stock.route_warehouse0_mto").with_context(
            active_test=False
        )
        partner = env["res.partner"]
        self.vendor = partner.search([("ref", "=", "BENCH-VENDOR")], limit=1)
        self.customer = partner.search([("ref", "=", "BENCH-CUSTOMER")], limit=1)

    def ensure_partners(self):
        if not self.vendor:
            self.vendor = self.env["res.partner"].create(
                {"name": "Bench Vendor", "ref": "BENCH-VENDOR"}
            )
        if not self.customer:
            self.customer = self.env["res.partner"].create(
                {"name": "Bench Customer", "ref": "BENCH-CUSTOMER"}
            )
        self.route_mto.active = True


def create_products(ctx, codes, routes, vendor_delay=None, name=None):
    """Storable products, one per default code, created in chunks."""
    env = ctx.env
    products = env["product.product"]
    for chunk in split_every(CHUNK, codes):
        vals = []
        for code in chunk:
            values = {
                "name": f"{name or 'Bench'} {code}",
                "default_code": code,
                "type": "consu",
                "is_storable": True,
                "route_ids": [Command.set([route.id for route in routes])],
            }
            if vendor_delay is not None:
                values["seller_ids"] = [
                    Command.create(
                        {
                            "partner_id": ctx.vendor.id,
                            "delay": vendor_delay,
                            "price": 10.0,
                        }
                    )
                ]
            vals.append(values)
        templates = env["product.template"].create(vals)
        products |= templates.product_variant_id
        env.cr.commit()  # pylint: disable=invalid-commit
    return products


def create_orderpoints(ctx, products, route, min_qty=0.0, max_qty=0.0):
    env = ctx.env
    for chunk in split_every(CHUNK, products.ids):
        env["stock.warehouse.orderpoint"].create(
            [
                {
                    "product_id": product_id,
                    "warehouse_id": ctx.warehouse.id,
                    "location_id": ctx.stock.id,
                    "route_id": route.id,
                    "trigger": "auto",
                    "product_min_qty": min_qty,
                    "product_max_qty": max_qty,
                    "qty_multiple": 1.0,
                }
                for product_id in chunk
            ]
        )
        env.cr.commit()  # pylint: disable=invalid-commit


def create_demand(ctx, products, qty=1.0, per_picking=100):
    """One confirmed delivery move per product, dated now, from WH/Stock to the
    customers, ``per_picking`` moves per delivery order."""
    env = ctx.env
    now = datetime.now().replace(microsecond=0)
    out_type = ctx.warehouse.out_type_id
    for chunk in split_every(1000, products):
        groups = env["procurement.group"].create(
            [
                {"name": f"BENCH-DEMAND-{chunk[0].id}-{index}"}
                for index in range(math.ceil(len(chunk) / per_picking))
            ]
        )
        moves = env["stock.move"].create(
            [
                {
                    "name": product.name,
                    "product_id": product.id,
                    "product_uom_qty": qty,
                    "product_uom": product.uom_id.id,
                    "location_id": ctx.stock.id,
                    "location_dest_id": ctx.customers.id,
                    "location_final_id": ctx.customers.id,
                    "picking_type_id": out_type.id,
                    "group_id": groups[index // per_picking].id,
                    "partner_id": ctx.customer.id,
                    "warehouse_id": ctx.warehouse.id,
                    "company_id": ctx.company.id,
                    "date": now,
                    "origin": groups[index // per_picking].name,
                    "procure_method": "make_to_stock",
                }
                for index, product in enumerate(chunk)
            ]
        )
        moves._action_confirm(merge=False)
        env.cr.commit()  # pylint: disable=invalid-commit


def set_scope(env, prefix, size, rules=True):
    """Keep the first ``size`` products of ``prefix`` in the game: their rules
    automatic and their demand confirmed; the others' rules manual and their
    demand moves draft."""
    index = "CAST(split_part(p.default_code, '-', 2) AS integer)"
    if rules:
        env.cr.execute(
            f"""UPDATE stock_warehouse_orderpoint op
                   SET trigger = CASE WHEN {index} < %s THEN 'auto' ELSE 'manual' END
                  FROM product_product p
                 WHERE op.product_id = p.id AND p.default_code LIKE %s""",
            (size, f"{prefix}-%"),
        )
    env.cr.execute(
        f"""UPDATE stock_move m
               SET state = CASE WHEN {index} < %s THEN 'confirmed' ELSE 'draft' END
              FROM product_product p
             WHERE m.product_id = p.id AND p.default_code LIKE %s
               AND m.state IN ('draft', 'confirmed')""",
        (size, f"{prefix}-%"),
    )
    env.cr.commit()  # pylint: disable=invalid-commit
    env.invalidate_all()


def by_prefix(env, prefix, model="product.product"):
    return env[model].search([("default_code", "=like", f"{prefix}%")], order="id")


# ------------------------------------------------------------------- builders
def build_s1(ctx, sizes):
    top = max(sizes)
    raw = create_products(ctx, ["S1RAW-0"], [], name="Bench component")
    bought = create_products(
        ctx,
        [f"S1B-{i:06d}" for i in range(top)],
        [ctx.route_buy],
        vendor_delay=1,
    )
    create_orderpoints(ctx, bought, ctx.route_buy)
    made = create_products(
        ctx, [f"S1M-{i:06d}" for i in range(top)], [ctx.route_manufacture]
    )
    for chunk in split_every(CHUNK, made):
        ctx.env["mrp.bom"].create(
            [
                {
                    "product_tmpl_id": product.product_tmpl_id.id,
                    "product_qty": 1.0,
                    "produce_delay": 1,
                    "bom_line_ids": [
                        Command.create({"product_id": raw.id, "product_qty": 1.0})
                    ],
                }
                for product in chunk
            ]
        )
        ctx.env.cr.commit()  # pylint: disable=invalid-commit
    create_orderpoints(ctx, made, ctx.route_manufacture)


def build_rules(ctx, prefix, count):
    """``count`` bought products, each with an automatic rule (min 0, max 5);
    every other one has a delivery of 1 unit due now (so half the rules are
    due)."""
    products = create_products(
        ctx, [f"{prefix}-{i:06d}" for i in range(count)], [ctx.route_buy], 1
    )
    create_orderpoints(ctx, products, ctx.route_buy, 0.0, 5.0)
    create_demand(ctx, products[::2])


def build_s3(ctx, sizes):
    products = create_products(
        ctx, [f"S3-{i:06d}" for i in range(max(sizes))], [ctx.route_buy], 1
    )
    create_demand(ctx, products)


def build_tree(ctx, prefix, fanouts):
    """A BoM tree: the top product and every level below it manufactured, the
    last level bought; every component carries the MTO route (native "on
    demand")."""
    env = ctx.env
    top = create_products(
        ctx, [f"{prefix}-TOP"], [ctx.route_mto, ctx.route_manufacture], name="Top"
    )
    parents = top
    for depth, fanout in enumerate(fanouts, start=1):
        leaf = depth == len(fanouts)
        routes = [ctx.route_mto, ctx.route_buy if leaf else ctx.route_manufacture]
        children = create_products(
            ctx,
            [f"{prefix}-L{depth}-{i:06d}" for i in range(len(parents) * fanout)],
            routes,
            vendor_delay=3 if leaf else None,
        )
        for chunk in split_every(CHUNK, list(enumerate(parents))):
            env["mrp.bom"].create(
                [
                    {
                        "product_tmpl_id": parent.product_tmpl_id.id,
                        "product_qty": 1.0,
                        "produce_delay": 1,
                        "bom_line_ids": [
                            Command.create(
                                {
                                    "product_id": children[index * fanout + pos].id,
                                    "product_qty": 1.0,
                                }
                            )
                            for pos in range(fanout)
                        ],
                    }
                    for index, parent in chunk
                ]
            )
            env.cr.commit()  # pylint: disable=invalid-commit
        parents = children


def build(env, scenario, sizes):
    ctx = Ctx(env)
    ctx.ensure_partners()
    env.cr.commit()  # pylint: disable=invalid-commit
    if scenario == "S1":
        build_s1(ctx, sizes)
    elif scenario == "S2":
        build_rules(ctx, "S2", max(sizes))
    elif scenario == "S3":
        build_s3(ctx, sizes)
    elif scenario == "S4":
        for size in sizes:
            depth, fanout = (int(x) for x in size.split("x"))
            build_tree(ctx, f"S4T{size}", [fanout] * depth)
    elif scenario == "S5":
        promise, explain = split_s5(sizes)
        for size in promise:
            build_tree(ctx, f"S5T{size}", promise_fanouts(size))
        if explain:
            build_rules(ctx, "S5R", max(explain))
    env.cr.commit()  # pylint: disable=invalid-commit


def split_s5(sizes):
    """S5 labels "L<lines>" / "R<rules>" -> ([lines], [rules])."""
    promise = [int(s[1:]) for s in sizes if s.startswith("L")]
    return promise, [int(s[1:]) for s in sizes if s.startswith("R")]


# --------------------------------------------------------------- addon set-up
def prepare_addon(env, scenario):
    """Turn the native data into the addon's form (see the module docstring)."""
    ctx = Ctx(env)
    if scenario == "S1":
        rules = env["stock.warehouse.orderpoint"].search(
            [("product_id.default_code", "=like", "S1%-%")]
        )
        rules.action_convert_to_per_order()
    elif scenario in ("S4", "S5"):
        prefix = "S4T" if scenario == "S4" else "S5T"
        products = by_prefix(env, prefix)
        components = products.filtered(lambda p: not p.default_code.endswith("TOP"))
        components.product_tmpl_id.write(
            {"route_ids": [Command.unlink(ctx.route_mto.id)]}
        )
        lines = env["mrp.bom.line"].search(
            [("bom_id.product_tmpl_id", "in", products.product_tmpl_id.ids)]
        )
        lines.write({"supply_method": "on_demand"})
    env.cr.commit()  # pylint: disable=invalid-commit


# ----------------------------------------------------------------- operations
def _sale(ctx, products):
    return ctx.env["sale.order"].create(
        {
            "partner_id": ctx.customer.id,
            "order_line": [
                Command.create({"product_id": product.id, "product_uom_qty": 1.0})
                for product in products
            ],
        }
    )


def _confirm(env, order):
    order.action_confirm()


def _sync_limit_below(env, size):
    """The company queues the replenishment of orders touching > limit rules."""
    company = env["res.company"]
    limit = (
        "mto_trigger_sync_limit" in company._fields
        and env.company.sudo()["mto_trigger_sync_limit"]
    )
    return bool(limit) and size > limit


def _sync_limit_0(env):
    env.company.sudo().mto_trigger_sync_limit = 0


def s1_ops(sizes, addon):
    ops = []
    for kind, prefix in (("buy", "S1B"), ("manufacture", "S1M")):
        for size in sizes:

            def prepare(env, size=size, prefix=prefix):
                ctx = Ctx(env)
                products = by_prefix(env, f"{prefix}-")[:size]
                return _sale(ctx, products)

            variants = (
                [("sync limit 0", _sync_limit_0, _sync_limit_below)] if addon else []
            )
            ops.append(
                Op(
                    "S1",
                    f"confirm SO, {kind}",
                    size,
                    f"L={size}",
                    prepare,
                    _confirm,
                    variants,
                )
            )
    return ops


def s2_ops(sizes, addon=False):
    ops = []
    for size in sizes:

        def prepare(env, size=size):
            return None

        def run(env, _state):
            env["procurement.group"].sudo().run_scheduler(use_new_cursor=False)

        floor = None
        if addon:
            floor = (
                Floor("floor", s2_floor_prepare, s2_floor_create),
                Floor(S2_BATCH_FLOOR, s2_batch_floor_prepare, s2_batch_floor_create),
            )
        op = Op("S2", "scheduler run", size, f"N={size}", prepare, run, [], floor)
        ops.append(op)
    return ops


#: Values of a purchase order line as the scheduler sets them, copied by the
#: floor (the others are computed by the ORM, as they are for the scheduler).
FLOOR_LINE_FIELDS = (
    "product_id",
    "name",
    "product_qty",
    "product_uom",
    "price_unit",
    "taxes_id",
    "date_planned",
    "orderpoint_id",
    "propagate_cancel",
    "company_id",
)
FLOOR_ORDER_FIELDS = (
    "partner_id",
    "origin",
    "company_id",
    "currency_id",
    "picking_type_id",
    "fiscal_position_id",
    "payment_term_id",
    "user_id",
    "date_order",
)


def s2_floor_prepare(env, marks):
    """Untimed: the values of the purchase order lines the run created, and one
    new RFQ of the same vendor (the first order's header values)."""
    lines = env["purchase.order.line"].search(
        [("id", ">", marks["purchase_order_line"])], order="id"
    )
    if not lines:
        return None
    order_vals = lines[0].order_id.read(list(FLOOR_ORDER_FIELDS), load=None)[0]
    order_vals.pop("id")
    rfq = env["purchase.order"].create(order_vals)
    vals = []
    for row in lines.read(list(FLOOR_LINE_FIELDS), load=None):
        row.pop("id")
        row["taxes_id"] = [Command.set(row["taxes_id"])]
        row["order_id"] = rfq.id
        vals.append(row)
    env.flush_all()
    return vals


def s2_floor_create(env, vals):
    """Timed: one batch ORM create of the same lines on the new RFQ."""
    if vals:
        env["purchase.order.line"].create(vals)


#: The mode of the second S2 floor: the same lines, created in the groups the
#: run's batches created them in, each group flushed on its own.
S2_BATCH_FLOOR = "floor, run's batches"


def s2_batch_floor_prepare(env, marks):
    """Untimed: the values of s2_floor_prepare (on another new RFQ), split in
    the groups of lines the run's batches created, in their order (the
    purchase_line_count of the run's mto.scheduler.run.batch rows)."""
    vals = s2_floor_prepare(env, marks)
    if not vals:
        return None
    run = env["mto.scheduler.run"].search([], order="id desc", limit=1)
    counts = [
        batch.purchase_line_count
        for batch in run.batch_ids.sorted("sequence")
        if batch.purchase_line_count
    ]
    if sum(counts) != len(vals):
        raise RuntimeError(
            f"the batches of {run.display_name} count {sum(counts)} new RFQ lines, "
            f"the run created {len(vals)}"
        )
    groups, start = [], 0
    for count in counts:
        groups.append(vals[start : start + count])
        start += count
    return groups


def s2_batch_floor_create(env, groups):
    """Timed: the same lines created group by group, each group flushed, as
    the scheduler flushes each batch (Odoo's savepoint) before committing it:
    the RFQ's totals are computed again over all its lines at each flush."""
    for group in groups or ():
        env["purchase.order.line"].create(group)
        env.flush_all()


def created_names(cr):
    marks = {}
    for table, _kind in NAMED_TABLES:
        cr.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        marks[table] = cr.fetchone()[0]
    return marks


def created_records(env, marks, name_marks):
    """The records the run created, by value, as sorted lists of JSON-able rows
    (for the comparison with native): PO lines (product, quantity, unit, price,
    taxes, planned date, vendor), POs (vendor, origin), MOs (product, quantity,
    unit, start date, end date, origin). Dates to the day (the runs compared
    start minutes apart); origins as sorted lists of their comma-separated
    names, where a document created by the run is named by its kind."""
    names = {}
    for table, kind in NAMED_TABLES:
        env.cr.execute(
            f"SELECT name FROM {table} WHERE id > %s",  # noqa: S608
            (name_marks[table],),
        )
        names.update((name, kind) for (name,) in env.cr.fetchall())

    # a created document's name inside a token too ("OP/00001 - S00007")
    pattern = names and re.compile(
        r"(?<![\w/])("
        + "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
        + r")(?![\w/])"
    )

    def origin(text):
        tokens = (token.strip() for token in (text or "").split(","))
        if pattern:
            tokens = (pattern.sub(lambda m: names[m.group(1)], t) for t in tokens)
        return sorted(token for token in tokens if token)

    def day(value):
        return value and str(value)[:10]

    records = {}
    lines = env["purchase.order.line"].search(
        [("id", ">", marks["purchase_order_line"])]
    )
    if lines:
        vendors = {o.id: o.partner_id.id for o in lines.order_id}
        rows = lines.read(
            [
                "product_id",
                "product_qty",
                "product_uom",
                "price_unit",
                "taxes_id",
                "date_planned",
                "order_id",
            ],
            load=None,
        )
        records["PO lines"] = sorted(
            [
                r["product_id"],
                round(r["product_qty"], 4),
                r["product_uom"],
                round(r["price_unit"], 4),
                sorted(r["taxes_id"]),
                day(r["date_planned"]),
                vendors[r["order_id"]],
            ]
            for r in rows
        )
    orders = env["purchase.order"].search([("id", ">", marks["purchase_order"])])
    if orders:
        records["POs"] = sorted([o.partner_id.id, origin(o.origin)] for o in orders)
    productions = env["mrp.production"].search([("id", ">", marks["mrp_production"])])
    if productions:
        records["MOs"] = sorted(
            [
                r["product_id"],
                round(r["product_qty"], 4),
                r["product_uom_id"],
                day(r["date_start"]),
                day(r["date_finished"]),
                origin(r["origin"]),
            ]
            for r in productions.read(
                [
                    "product_id",
                    "product_qty",
                    "product_uom_id",
                    "date_start",
                    "date_finished",
                    "origin",
                ],
                load=None,
            )
        )
    return records


def _list_spec(env):
    """Fields of the replenishment list view, as the web client asks for them."""
    model = env["stock.warehouse.orderpoint"]
    view = env.ref("stock.view_warehouse_orderpoint_tree_editable")
    fields_info = model.get_views([(view.id, "list")])["models"][model._name]
    spec = {}
    for fname in fields_info["fields"]:
        field = model._fields[fname]
        if field.type == "many2one":
            spec[fname] = {"fields": {"display_name": {}}}
        else:
            spec[fname] = {}
    return spec


def s3_open(env, _state):
    env["stock.warehouse.orderpoint"].action_open_orderpoints()


def s3_ops(sizes):
    ops = []
    for size in sizes:

        def prepare_read(env):
            # opening the report (untimed) creates the rules the list shows
            env["stock.warehouse.orderpoint"].action_open_orderpoints()
            env.flush_all()
            env.invalidate_all()
            return _list_spec(env)

        def read(env, spec):
            today = datetime.now().strftime("%Y-%m-%d")
            result = env["stock.warehouse.orderpoint"].web_search_read(
                [
                    ("trigger", "=", "manual"),
                    ("qty_to_order", ">", 0.0),
                    "|",
                    ("snoozed_until", "=", False),
                    ("snoozed_until", "<=", today),
                ],
                spec,
                limit=None,
            )
            return {"rows": result["length"]}

        ops.append(
            Op("S3", "open report", size, f"P={size}", _noop_prepare, s3_open, [])
        )
        ops.append(
            Op("S3", "read list rows", size, f"P={size}", prepare_read, read, [])
        )
    return ops


def _noop_prepare(env):
    return None


def s4_ops(sizes):
    ops = []
    for size in sizes:
        depth, fanout = size.split("x")

        def prepare(env, size=size):
            top = by_prefix(env, f"S4T{size}-TOP")
            return _sale(Ctx(env), top)

        ops.append(
            Op(
                "S4",
                "confirm MTO cascade",
                size,
                f"D={depth} F={fanout}",
                prepare,
                _confirm,
                [],
            )
        )
    return ops


def s5_ops(sizes, addon):
    promise, explain = split_s5(sizes)
    ops = []
    for size in promise:
        lines = tree_lines(promise_fanouts(size))
        label = f"L{size}"

        def prepare_promise(env, size=size):
            top = by_prefix(env, f"S5T{size}-TOP")
            bom = env["mrp.bom"].search(
                [("product_tmpl_id", "=", top.product_tmpl_id.id)], limit=1
            )
            return top, bom

        if addon:

            def promise_op(env, state):
                return {"days": state[0].explain_promise()["days"]}

        else:

            def promise_op(env, state):
                data = env["report.mrp.report_bom_structure"]._get_report_data(
                    state[1].id, searchQty=1
                )
                return {"days": data["lines"].get("lead_time")}

        ops.append(
            Op(
                "S5",
                "promise date (5-level BoM)",
                label,
                f"{lines} lines",
                prepare_promise,
                promise_op,
                [],
            )
        )
    for size in explain:

        def prepare_explain(env, size=size):
            return env["stock.warehouse.orderpoint"].search(
                [("product_id.default_code", "=like", "S5R-%")], order="id", limit=size
            )

        if addon:

            def explain_op(env, rules):
                return {"rules": len(rules.explain_replenishment())}

        else:

            def explain_op(env, rules):
                rows = rules.read(
                    [
                        "lead_days_date",
                        "qty_on_hand",
                        "qty_forecast",
                        "visibility_days",
                        "qty_to_order",
                    ]
                )
                return {"rules": len(rows)}

        ops.append(
            Op(
                "S5",
                "explain rules",
                f"R{size}",
                f"{size} rules",
                prepare_explain,
                explain_op,
                [],
            )
        )
    return ops


def operations(scenario, sizes, addon):
    if scenario == "S1":
        return s1_ops(sizes, addon)
    if scenario == "S2":
        return s2_ops(sizes, addon)
    if scenario == "S3":
        return s3_ops(sizes)
    if scenario == "S4":
        return s4_ops(sizes)
    return s5_ops(sizes, addon)


def scope_for(scenario, size):
    """(prefix, rules?) to pass to set_scope before measuring ``size``."""
    if scenario == "S2":
        return ("S2", True)
    if scenario == "S3":
        return ("S3", False)
    return None
