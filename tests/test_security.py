"""Who may call what, over real HTTP JSON-RPC on a running Odoo, with commits.

A portal user, a salesperson, an inventory user and an inventory administrator
log in and call every public method and button that the addon adds or overrides
(PUBLIC_METHODS; a new one makes test_every_public_method_is_listed fail until it
is listed here with its expected outcomes). Each call is either refused, and then
nothing was committed (checked from a fresh database connection), or allowed with
exactly its expected effect.
"""

import json
import urllib.request

import pytest
from conftest import pg_connect

ADDON = "mto_replenish"
DB = "mto_pytest_security"
PASSWORD = "Secur1ty-test"
ROLES = ("portal", "salesman", "stock_user", "stock_admin")

#: Every public method the addon defines or overrides, by model.
PUBLIC_METHODS = {
    "change.production.qty": ["change_prod_qty"],
    "decimal.precision": ["precision_get"],
    "mrp.bom": ["create", "unlink", "write"],
    "mrp.bom.line": ["action_promise_keep_in_stock"],
    "mrp.production": [
        "action_confirm",
        "action_view_cascade_children",
        "action_view_cascade_parents",
        "action_view_cascade_purchases",
        "action_view_per_order_sales",
        "write",
    ],
    "mto.replenishment.allocation": ["create"],
    "mto.scheduler.run": ["action_cancel", "action_run_now"],
    "mto.scheduler.run.failure": ["action_open_orderpoint"],
    "procurement.group": ["run"],
    "product.product": ["create", "explain_promise", "write"],
    "product.template": ["action_create_per_order_rules", "create", "write"],
    "purchase.order": ["action_view_per_order_sales"],
    "purchase.order.line": ["write"],
    "sale.order": [
        "action_confirm",
        "action_view_cascade_productions",
        "action_view_cascade_purchases",
        "action_view_per_order_productions",
        "action_view_per_order_purchases",
    ],
    "sale.order.line": ["explain_promise"],
    "stock.picking": ["write"],
    "stock.route": ["write"],
    "stock.warehouse": ["create", "write"],
    "stock.warehouse.orderpoint": [
        "action_convert_to_per_order",
        "action_mto_explain_replenishment",
        "create",
        "explain_replenishment",
    ],
}

SETUP = """
from odoo import Command
env = env(context=dict(env.context, tracking_disable=True))
company = env.company
company.write({"po_lead": 0, "days_to_purchase": 0})
buy = env.ref("purchase_stock.route_warehouse0_buy")
manufacture = env.ref("mrp.route_warehouse0_manufacture")
per_order = env.ref("mto_replenish.route_per_order")
vendor = env["res.partner"].create({"name": "Security Vendor"})
customer = env["res.partner"].create({"name": "Security Customer"})
def product(name, routes, seller=True):
    return env["product.product"].create({
        "name": name, "is_storable": True,
        "route_ids": [Command.set([r.id for r in routes])],
        "seller_ids": [Command.create({"partner_id": vendor.id, "delay": 1})]
        if seller else [],
    })
minmax = product("Security min-max", [buy])
rule = env["stock.warehouse.orderpoint"].create({
    "product_id": minmax.id, "location_id": env.ref("stock.stock_location_stock").id,
    "route_id": buy.id, "product_min_qty": 5, "product_max_qty": 10,
})
per_order_product = product("Security per order", [per_order, buy])
to_tick = product("Security to tick", [buy])
made = product("Security made", [manufacture], seller=False)
part = product("Security part", [], seller=False)
env["mrp.bom"].create({
    "product_tmpl_id": made.product_tmpl_id.id,
    "bom_line_ids": [Command.create({"product_id": part.id, "product_qty": 1})],
})
production = env["mrp.production"].create({"product_id": made.id})
production.action_confirm()
draft_production = env["mrp.production"].create({"product_id": made.id})
wizard = env["change.production.qty"].create(
    {"mo_id": production.id, "product_qty": 2})
purchase = env["purchase.order"].create({
    "partner_id": vendor.id,
    "order_line": [Command.create({"product_id": part.id, "product_qty": 1})],
})
receipt = env["stock.picking"].create({
    "picking_type_id": env.ref("stock.picking_type_in").id,
    "partner_id": vendor.id,
})
groups = {
    "portal": ["base.group_portal"],
    "salesman": ["sales_team.group_sale_salesman"],
    "stock_user": ["stock.group_stock_user"],
    "stock_admin": ["stock.group_stock_manager"],
}
users, orders = {}, {}
for role, xmlids in groups.items():
    user = env["res.users"].create({
        "name": role, "login": "sec_" + role, "password": %(password)r,
        "groups_id": [Command.set([env.ref(x).id for x in xmlids])],
    })
    users[role] = user.id
    orders[role] = env["sale.order"].create({
        "partner_id": customer.id, "user_id": user.id if role != "portal" else False,
        "order_line": [Command.create({
            "product_id": per_order_product.id, "product_uom_qty": 2})],
    }).id
# A queued run of every company, and a done one with a failure (code writes runs).
Run = env["mto.scheduler.run"].sudo()
queued_run = Run.create({"user_id": env.uid})
failed_run = Run.create({"user_id": env.uid, "started": True, "finished": True})
failure = env["mto.scheduler.run.failure"].sudo().create({
    "run_id": failed_run.id, "orderpoint_id": rule.id, "product_id": minmax.id,
    "company_id": company.id, "message": "No vendor",
})
env.cr.commit()
result({
    "queued_run": queued_run.id, "failure": failure.id,
    "users": users, "orders": orders, "rule": rule.id, "minmax": minmax.id,
    "per_order": per_order_product.id, "to_tick": to_tick.product_tmpl_id.id,
    "production": production.id, "bom": made.bom_ids.id,
    "draft_production": draft_production.id, "wizard": wizard.id,
    "purchase": purchase.id, "made": made.id, "route": per_order.id,
    "purchase_line": purchase.order_line.id, "receipt": receipt.id,
    "made_tmpl": made.product_tmpl_id.id,
    "bom_line": made.bom_ids.bom_line_ids.id,
    "warehouse": env.ref("stock.warehouse0").id,
    "order_lines": {
        role: env["sale.order"].browse(order_id).order_line.id
        for role, order_id in orders.items()
    },
})
"""

INTROSPECT = """
import inspect
found = {}
for name in env.registry:
    cls = type(env[name])
    for klass in cls.mro():
        if not klass.__module__.startswith("odoo.addons.%(addon)s."):
            continue
        for attr, value in vars(klass).items():
            if not attr.startswith("_") and inspect.isfunction(value):
                found.setdefault(name, set()).add(attr)
result({name: sorted(attrs) for name, attrs in found.items()})
"""


class Client:
    """JSON-RPC over HTTP, the way integrations call Odoo (/jsonrpc)."""

    def __init__(self, port, login):
        self.port = port
        self.login = login
        self.uid = self._call("common", "login", DB, login, PASSWORD)
        assert self.uid, f"{login} could not log in"

    def _call(self, service, method, *args):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": args},
            "id": 1,
        }
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/jsonrpc",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=300) as response:
            answer = json.loads(response.read())
        if "error" in answer:
            raise RpcError(answer["error"]["data"]["name"], answer["error"]["data"])
        return answer["result"]

    def call(self, model, method, args, kwargs=None):
        return self._call(
            "object",
            "execute_kw",
            DB,
            self.uid,
            PASSWORD,
            model,
            method,
            args,
            kwargs or {},
        )


class RpcError(Exception):
    def __init__(self, name, error):
        super().__init__(name)
        self.name = name.rsplit(".", 1)[-1]
        self.error = error

    def __str__(self):
        return f"{self.name}: {self.error.get('message')}"


def _fingerprint():
    """What the calls could have committed, read on a fresh connection."""
    conn = pg_connect(DB)
    try:
        with conn.cursor() as cr:
            cr.execute(
                """
                SELECT (SELECT COUNT(*) FROM purchase_order_line),
                       (SELECT COALESCE(SUM(product_qty), 0) FROM purchase_order_line),
                       (SELECT COUNT(*) FROM mrp_production),
                       (SELECT COUNT(*) FROM mto_scheduler_run),
                       (SELECT MAX(write_date) FROM mto_scheduler_run),
                       (SELECT COUNT(*) FROM stock_warehouse_orderpoint),
                       (SELECT MAX(write_date) FROM stock_warehouse_orderpoint),
                       (SELECT COUNT(*) FROM sale_order WHERE state = 'sale'),
                       (SELECT MAX(write_date) FROM product_template),
                       (SELECT MAX(write_date) FROM mrp_bom_line)
                """
            )
            return cr.fetchone()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server(odoo):
    odoo.install_fresh(DB, ADDON)
    data = odoo.shell(DB, SETUP % {"password": PASSWORD})
    proc, port = odoo.serve(DB, "--max-cron-threads", "0")
    clients = {role: Client(port, f"sec_{role}") for role in ROLES}
    yield {"clients": clients, "data": data, "odoo": odoo}
    odoo.stop(proc)
    odoo.dbtool("drop", DB)


def test_every_public_method_is_listed(server):
    found = server["odoo"].shell(DB, INTROSPECT % {"addon": ADDON})
    assert found == PUBLIC_METHODS


def _attempt(client, model, method, args, kwargs=None):
    """(outcome, committed changed) of one call: "ok" or the error's name."""
    before = _fingerprint()
    try:
        client.call(model, method, args, kwargs)
        outcome = "ok"
    except RpcError as error:
        outcome = error.name
    return outcome, before != _fingerprint()


def _private_context():
    return {
        "mto_orderpoints_done": True,
        "mto_locked": True,
        "per_order_skip_sync": True,
        "per_order_sale_ids_by_op": {"1": [1]},
        "per_order_trigger_sales": {"1": [1]},
        "per_order_link_sales": {"1": [1]},
    }


def test_scheduler_refused_or_scoped(server):
    clients, data = server["clients"], server["data"]
    # Refused before anything is read or committed.
    for role in ("portal",):
        outcome, changed = _attempt(
            clients[role],
            "procurement.group",
            "run_scheduler",
            [],
            {"use_new_cursor": True},
        )
        assert (outcome, changed) == ("AccessError", False), role
    # Plain Odoo lets a salesperson run the scheduler (they read reordering
    # rules): a run of their companies that orders the min-max rule's 10.
    outcome, changed = _attempt(
        clients["salesman"],
        "procurement.group",
        "run_scheduler",
        [],
        {"use_new_cursor": True, "context": _private_context()},
    )
    assert (outcome, changed) == ("ok", True)
    lines = clients["stock_user"].call(
        "purchase.order.line",
        "search_read",
        [[["product_id", "=", data["minmax"]]]],
        {"fields": ["product_qty"]},
    )
    assert [line["product_qty"] for line in lines] == [10.0]
    # Only code writes the audit trail: no create, write or unlink over RPC.
    run_ids = clients["stock_admin"].call("mto.scheduler.run", "search", [[]])
    assert run_ids
    for method, args in (
        ("write", [run_ids[:1], {"name": "edited"}]),
        ("unlink", [run_ids[:1]]),
        ("create", [{"name": "forged"}]),
    ):
        outcome, changed = _attempt(
            clients["stock_admin"], "mto.scheduler.run", method, args
        )
        assert (outcome, changed) == ("AccessError", False), method
    # Run Scheduler Now: Inventory Administrators only.
    for role in ("portal", "salesman", "stock_user"):
        outcome, changed = _attempt(
            clients[role], "mto.scheduler.run", "action_run_now", []
        )
        assert (outcome, changed) == ("AccessError", False), role
    outcome, changed = _attempt(
        clients["stock_admin"], "mto.scheduler.run", "action_run_now", []
    )
    assert (outcome, changed) == ("ok", True)


def test_confirmation_ignores_private_context(server):
    clients, data = server["clients"], server["data"]
    outcome, changed = _attempt(
        clients["portal"],
        "sale.order",
        "action_confirm",
        [[data["orders"]["portal"]]],
        {"context": _private_context()},
    )
    assert (outcome, changed) == ("AccessError", False)
    before = _fingerprint()
    clients["salesman"].call(
        "sale.order",
        "action_confirm",
        [[data["orders"]["salesman"]]],
        {"context": _private_context()},
    )
    after = _fingerprint()
    # One new per-order RFQ line of exactly the 2 units sold.
    assert (after[0] - before[0], after[1] - before[1]) == (1, 2.0)


#: Buttons and overridden methods: (model, method, arguments from the setup's
#: ids, outcome for portal, salesman, inventory user, inventory administrator).
#: "ok": allowed, nothing committed; "ok+": allowed and committed; an error's
#: name: refused, nothing committed.
BUTTONS = (
    (
        "mrp.bom",
        "write",
        lambda d: [[d["bom"]], {"product_qty": 2}],
        ("AccessError", "AccessError", "AccessError", "AccessError"),
    ),
    (
        "mrp.bom",
        "create",
        lambda d: [{"product_tmpl_id": d["made_tmpl"]}],
        ("AccessError", "AccessError", "AccessError", "AccessError"),
    ),
    (
        "mrp.bom",
        "unlink",
        lambda d: [[d["bom"]]],
        ("AccessError", "AccessError", "AccessError", "AccessError"),
    ),
    (
        "mrp.bom.line",
        "action_promise_keep_in_stock",
        lambda d: [[d["bom_line"]]],
        ("AccessError", "AccessError", "AccessError", "AccessError"),
    ),
    (
        "procurement.group",
        "run",
        lambda d: [[]],
        ("ok", "ok", "ok", "ok"),
    ),
    (
        "sale.order.line",
        "explain_promise",
        lambda d: [[d["order_lines"]["salesman"]]],
        ("AccessError", "ok", "ok", "ok"),
    ),
    (
        "stock.warehouse",
        "write",
        lambda d: [[d["warehouse"]], {"name": "Renamed over RPC"}],
        ("AccessError", "AccessError", "AccessError", "ok"),
    ),
    (
        "stock.warehouse",
        "create",
        lambda d: [{"name": "Created over RPC", "code": "RPC"}],
        ("AccessError", "AccessError", "AccessError", "AccessError"),
    ),
    (
        "stock.warehouse.orderpoint",
        "create",
        lambda d: [{"product_id": d["made"]}],
        ("AccessError", "AccessError", "AccessError", "ok+"),
    ),
    (
        "mto.replenishment.allocation",
        "create",
        lambda d: [{"product_id": d["made"], "quantity": 1.0}],
        ("AccessError", "AccessError", "AccessError", "AccessError"),
    ),
    (
        "stock.warehouse.orderpoint",
        "explain_replenishment",
        lambda d: [[d["rule"]]],
        ("AccessError", "AccessError", "ok", "ok"),
    ),
    (
        "stock.warehouse.orderpoint",
        "action_mto_explain_replenishment",
        lambda d: [[d["rule"]]],
        ("AccessError", "AccessError", "ok", "ok"),
    ),
    (
        "sale.order",
        "action_view_cascade_productions",
        lambda d: [[d["orders"]["salesman"]]],
        ("AccessError", "ok", "ok", "ok"),
    ),
    (
        "sale.order",
        "action_view_cascade_purchases",
        lambda d: [[d["orders"]["salesman"]]],
        ("AccessError", "ok", "ok", "ok"),
    ),
    (
        "sale.order",
        "action_view_per_order_purchases",
        lambda d: [[d["orders"]["salesman"]]],
        ("AccessError", "ok", "ok", "ok"),
    ),
    (
        "sale.order",
        "action_view_per_order_productions",
        lambda d: [[d["orders"]["salesman"]]],
        ("AccessError", "ok", "ok", "ok"),
    ),
    (
        "mrp.production",
        "action_view_cascade_children",
        lambda d: [[d["production"]]],
        ("AccessError", "ok", "ok", "ok"),
    ),
    (
        "mrp.production",
        "action_view_cascade_parents",
        lambda d: [[d["production"]]],
        ("AccessError", "ok", "ok", "ok"),
    ),
    (
        "mrp.production",
        "action_view_cascade_purchases",
        lambda d: [[d["production"]]],
        ("AccessError", "ok", "ok", "ok"),
    ),
    (
        "mrp.production",
        "action_view_per_order_sales",
        lambda d: [[d["production"]]],
        ("AccessError", "ok", "AccessError", "AccessError"),
    ),
    (
        "mrp.production",
        "action_confirm",
        lambda d: [[d["draft_production"]]],
        ("AccessError", "ok", "AccessError", "AccessError"),
    ),
    (
        "purchase.order",
        "action_view_per_order_sales",
        lambda d: [[d["purchase"]]],
        ("AccessError", "AccessError", "AccessError", "AccessError"),
    ),
    (
        "change.production.qty",
        "change_prod_qty",
        lambda d: [[d["wizard"]]],
        ("AccessError", "AccessError", "AccessError", "AccessError"),
    ),
    (
        "product.product",
        "explain_promise",
        lambda d: [[d["made"]]],
        ("AccessError", "ok", "ok", "ok"),
    ),
    (
        "product.template",
        "action_create_per_order_rules",
        lambda d: [[d["to_tick"]]],
        ("AccessError", "AccessError", "AccessError", "ok+"),
    ),
    (
        "stock.warehouse.orderpoint",
        "action_convert_to_per_order",
        lambda d: [[d["rule"]]],
        ("AccessError", "AccessError", "AccessError", "ok+"),
    ),
    (
        "product.product",
        "create",
        lambda d: [{"name": "Created over RPC", "is_storable": True}],
        ("AccessError", "AccessError", "AccessError", "ok+"),
    ),
    (
        "product.template",
        "create",
        lambda d: [{"name": "Template over RPC", "is_storable": True}],
        ("AccessError", "AccessError", "AccessError", "ok+"),
    ),
    (
        "product.product",
        "write",
        lambda d: [[d["made"]], {"description": "written over RPC"}],
        ("AccessError", "AccessError", "AccessError", "ok+"),
    ),
    (
        "product.template",
        "write",
        lambda d: [[d["made_tmpl"]], {"route_ids": [[4, d["route"]]]}],
        ("AccessError", "AccessError", "AccessError", "ok+"),
    ),
    (
        "mto.scheduler.run.failure",
        "action_open_orderpoint",
        lambda d: [[d["failure"]]],
        ("AccessError", "AccessError", "ok", "ok"),
    ),
    (
        "mto.scheduler.run",
        "action_cancel",
        lambda d: [[d["queued_run"]]],
        ("AccessError", "AccessError", "AccessError", "ok+"),
    ),
    (
        "stock.route",
        "write",
        lambda d: [[d["route"]], {"sequence": 3}],
        ("AccessError", "AccessError", "AccessError", "ok"),
    ),
    (
        "purchase.order.line",
        "write",
        lambda d: [[d["purchase_line"]], {"date_planned": "2026-12-01 10:00:00"}],
        ("AccessError", "AccessError", "AccessError", "AccessError"),
    ),
    (
        "mrp.production",
        "write",
        lambda d: [[d["draft_production"]], {"date_start": "2026-12-01 10:00:00"}],
        ("AccessError", "ok", "AccessError", "AccessError"),
    ),
    (
        "decimal.precision",
        "precision_get",
        lambda d: ["Product Unit of Measure"],
        ("ok", "ok", "ok", "ok"),
    ),
    (
        "stock.picking",
        "write",
        lambda d: [[d["receipt"]], {"scheduled_date": "2026-12-01 10:00:00"}],
        ("AccessError", "ok", "ok", "ok"),
    ),
)


@pytest.mark.parametrize(
    "model,method,build,expected", BUTTONS, ids=[f"{b[0]}.{b[1]}" for b in BUTTONS]
)
def test_buttons(server, model, method, build, expected):
    clients, data = server["clients"], server["data"]
    seen = []
    for role in ROLES:
        outcome, changed = _attempt(clients[role], model, method, build(data))
        if outcome == "ok" and changed:
            outcome = "ok+"
        assert outcome.startswith("ok") or not changed, (role, outcome)
        seen.append(outcome)
    assert tuple(seen) == expected
