"""Take the README screenshots (docs/screenshots/*.png) in a real browser.

Called by ``./mto screenshots`` once the Odoo source, the virtual environment and
PostgreSQL are ready (scripts/setup.sh sets the environment, as for run_tests.py).

1. A database (``mto_screenshots`` by default) is rebuilt from scratch: a clone of
   the cached template of the tests (the addon's dependencies, no Odoo demo data),
   the addon installed, then the addon's own demo data loaded (the bicycle story), so
   that the screens show only that story.
2. Odoo is started on a free local port, headless chromium logs in as admin and
   every screen is opened, driven through the DevTools protocol (websocket-client,
   like Odoo's own test browser) and captured as a PNG.

    ./mto screenshots                 rebuild the database, take every screenshot
    ./mto screenshots --reuse-db      keep the database if it exists
    ./mto screenshots --only settings take one screenshot (name without .png)
"""

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run_tests  # noqa: E402  (same environment, template and helpers)

ROOT = run_tests.ROOT
OUT = ROOT / "docs" / "screenshots"
WIDTH, HEIGHT = 1440, 900
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
    f"--window-size={WIDTH},{HEIGHT}",
]

LOAD_DEMO = """
from odoo.tools import convert_file
convert_file(env, "mto_replenish", "demo/mto_replenish_demo.xml", {}, mode="init",
             kind="demo")
env.ref("base.user_admin").write({"password": "admin", "tz": "Europe/Brussels"})
env.company.name = "Bicycle Works"
env.cr.commit()
"""


def log(message):
    print(f"[mto] {message}", flush=True)


def build_database(db, reuse):
    if reuse and run_tests.dbtool("exists", db, capture=True) == "yes":
        log(f"reusing database {db}")
        return
    template = run_tests.ensure_template()
    log(f"database {db}: clone of {template}, addon and its demo data")
    run_tests.dbtool("clone", template, db)
    quiet = ["--stop-after-init", "--no-http", "--log-level=warn"]
    subprocess.run(
        run_tests.odoo_cmd("-d", db, "-i", run_tests.ADDON, *quiet), check=True
    )
    subprocess.run(
        [
            run_tests.PY,
            str(run_tests.ODOO_SRC / "odoo-bin"),
            "shell",
            "--addons-path",
            run_tests.ADDONS_PATH,
            *run_tests.db_args(),
            "-d",
            db,
            "--no-http",
            "--log-level=warn",
        ],
        input=LOAD_DEMO,
        text=True,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def wait_http(url, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def authenticate(base, db):
    request = urllib.request.Request(
        f"{base}/web/session/authenticate",
        data=json.dumps(
            {
                "jsonrpc": "2.0",
                "params": {"db": db, "login": "admin", "password": "admin"},
            }
        ).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        body = json.load(response)
        if body.get("error"):
            raise RuntimeError(f"login failed: {body['error']}")
        for header in response.headers.get_all("Set-Cookie"):
            name, _, rest = header.partition("=")
            if name.strip() == "session_id":
                return rest.split(";")[0]
    raise RuntimeError("no session cookie after login")


class Browser:
    """Headless chromium driven over the DevTools protocol."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="mto_screens_chrome_")
        binary = shutil.which("chromium") or shutil.which("google-chrome")
        if not binary:
            raise RuntimeError("chromium not found (Debian package chromium)")
        self.proc = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.time() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if time.time() > deadline:
                raise RuntimeError("chromium did not open its DevTools port")
            time.sleep(0.2)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as resp:
            page = next(t for t in json.load(resp) if t["type"] == "page")
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        self.next_id = 0
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(
            json.dumps({"id": self.next_id, "method": method, "params": params})
        )
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call(
            "Runtime.evaluate",
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait(self, expression, timeout=60, what=None):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(expression):
                return
            time.sleep(0.25)
        raise RuntimeError(f"timed out waiting for {what or expression}")

    def wait_for(self, selector, timeout=60):
        self.wait(
            f"!!document.querySelector({json.dumps(selector)})", timeout, selector
        )

    def click(self, selector):
        self.wait_for(selector)
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")

    def goto(self, url, ready=".o_action_manager .o_view_controller"):
        self.call("Page.navigate", url=url)
        time.sleep(0.5)
        self.wait("document.readyState === 'complete'")
        if ready:
            self.wait_for(ready)

    def settle(self):
        """Let the web client finish its requests and animations."""
        time.sleep(1.5)
        self.wait(
            "!document.querySelector('.o_loading_indicator, .o_blockUI')",
            what="the web client to be idle",
        )
        time.sleep(0.5)

    def shot(self, name, clip_selector=None):
        self.settle()
        params = {"format": "png"}
        if clip_selector:
            selector = json.dumps(clip_selector)
            box = self.evaluate(
                f"(() => {{ const r = document.querySelector({selector})"
                ".getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, "
                "height: r.height}; })()"
            )
            params["clip"] = dict(box, scale=1)
        data = self.call("Page.captureScreenshot", **params)["data"]
        path = OUT / f"{name}.png"
        path.write_bytes(base64.b64decode(data))
        log(f"wrote {path.relative_to(ROOT)}")

    def close(self):
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            shutil.rmtree(self.profile, ignore_errors=True)


def record_id(base, session, model, xmlid):
    """Database id of the addon's demo record XMLID (read over JSON-RPC)."""
    request = urllib.request.Request(
        f"{base}/web/dataset/call_kw/ir.model.data/check_object_reference",
        data=json.dumps(
            {
                "jsonrpc": "2.0",
                "params": {
                    "model": "ir.model.data",
                    "method": "check_object_reference",
                    "args": ["mto_replenish", xmlid],
                    "kwargs": {},
                },
            }
        ).encode(),
        headers={
            "Content-Type": "application/json",
            "Cookie": f"session_id={session}",
        },
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        body = json.load(response)
    if body.get("error"):
        raise RuntimeError(f"{xmlid}: {body['error']['data']['message']}")
    found_model, res_id = body["result"]
    assert found_model == model, (xmlid, found_model)
    return res_id


# --- the screens ----------------------------------------------------------------------
# Each function opens one screen of the bicycle story and captures it.

JS_CLICK_TEXT = """
((selector, text) => {
    const el = [...document.querySelectorAll(selector)]
        .find((node) => node.textContent.includes(text));
    if (el) { el.click(); }
    return !!el;
})(%s, %s)
"""


def click_text(browser, selector, text):
    browser.wait(
        JS_CLICK_TEXT % (json.dumps(selector), json.dumps(text)),
        what=f"{selector} with {text!r}",
    )


def shot_product_per_order(browser, base, ids):
    browser.goto(f"{base}/odoo/product.template/{ids['bell_tmpl']}")
    browser.click(".o_notebook a.nav-link[name=inventory]")
    browser.wait_for("div[name=route_ids] input:checked")
    browser.shot("product_per_order_route")


def shot_product_inventory_promise(browser, base, ids):
    browser.goto(f"{base}/odoo/product.template/{ids['bike_tmpl']}")
    browser.click(".o_notebook a.nav-link[name=inventory]")
    browser.wait_for("div[name=route_ids] input:checked")
    browser.wait_for(".o_field_widget[name=promise_path]")
    browser.shot("product_inventory_promise")


def shot_product_promise(browser, base, ids):
    browser.goto(f"{base}/odoo/product.product/{ids['bike']}")
    browser.click(".o_notebook a.nav-link[name=mto_promise]")
    browser.wait_for(".o_field_widget[name=promise_path]")
    browser.shot("product_promise")


def shot_bom_supply(browser, base, ids):
    browser.goto(f"{base}/odoo/mrp.bom/{ids['bom_bike']}")
    browser.wait_for(".o_field_widget[name=bom_line_ids] td[name=supply_method]")
    browser.shot("bom_supply_method")


def shot_bom_overview(browser, base, ids):
    browser.goto(f"{base}/odoo/mrp.bom/{ids['bom_bike']}")
    click_text(browser, "button.oe_stat_button", "BoM Overview")
    browser.wait_for(".o_action .o_mto_supply_method")
    # unfold the frame's line to show its own components
    browser.evaluate(
        "document.querySelector('.o_action .o_mrp_bom_unfoldable')?.click()"
    )
    browser.shot("bom_overview")


REPLENISHMENT = "/odoo/action-stock.action_orderpoint_replenish"


def show_optional_column(browser, field):
    browser.click(".o_optional_columns_dropdown_toggle")
    browser.wait_for(".o-dropdown--menu input[name]")
    browser.evaluate(
        f"""(() => {{
            const box = document.querySelector(
                '.o-dropdown--menu input[name={field}]');
            if (box && !box.checked) {{ box.click(); }}
        }})()"""
    )
    browser.wait_for(f"th[data-name={field}]")
    browser.click(".o_optional_columns_dropdown_toggle")


def shot_replenishment(browser, base, ids):
    browser.goto(base + REPLENISHMENT)
    browser.wait_for(".o_list_view .o_data_row")
    for field in ("horizon_days", "visibility_days", "is_per_order", "trigger"):
        show_optional_column(browser, field)
    browser.evaluate("document.activeElement?.blur()")
    browser.shot("replenishment_list")


def shot_explanation(browser, base, ids):
    browser.goto(base + REPLENISHMENT)
    click_text(browser, ".o_list_view .o_data_row", "BIKE-WHEEL")
    browser.evaluate(
        """(() => {
            const row = [...document.querySelectorAll('.o_list_view .o_data_row')]
                .find((node) => node.textContent.includes('BIKE-WHEEL'));
            row.querySelector('button[name=action_mto_explain_replenishment]').click();
        })()"""
    )
    browser.wait_for(".modal .o_mto_explanation")
    browser.shot("replenishment_explanation")


def shot_sale_order(browser, base, ids):
    browser.goto(f"{base}/odoo/sale.order/{ids['sale_order']}")
    browser.wait_for("button[name=action_view_cascade_productions]")
    browser.wait_for(".o_field_widget[name=order_line] td[name=promise_date]")
    browser.shot("sale_order_cascade")


def shot_settings(browser, base, ids):
    browser.goto(
        f"{base}/odoo/action-stock.action_stock_config_settings",
        ready="#mto_replenish_horizon",
    )
    # the block's title (h2) comes just before its settings container
    browser.evaluate(
        "document.querySelector('#mto_replenish_horizon')"
        ".closest('.o_settings_container').previousElementSibling"
        ".scrollIntoView({block: 'start'})"
    )
    browser.shot("settings")


def shot_promise_timeline(browser, base, ids):
    browser.goto(f"{base}/odoo/product.product/{ids['bike']}")
    browser.click(".o_notebook a.nav-link[name=mto_promise]")
    browser.wait_for(".o_mto_timeline .o_mto_timeline_step")
    browser.evaluate(
        "document.querySelector('.o_mto_timeline').scrollIntoView({block: 'center'})"
    )
    browser.shot("promise_timeline")


def shot_sale_line_timeline(browser, base, ids):
    browser.goto(f"{base}/odoo/sale.order/{ids['sale_order']}")
    browser.click(".o_field_widget[name=order_line] .o_mto_timeline_button")
    browser.wait_for(".o_popover .o_mto_timeline .o_mto_timeline_step")
    browser.shot("sale_line_timeline")


JS_CALL_KW = """
fetch('/web/dataset/call_kw/%(model)s/%(method)s', {
    method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({jsonrpc: '2.0', method: 'call', params: {
        model: '%(model)s', method: '%(method)s', args: [], kwargs: %(kwargs)s}}),
}).then((response) => response.json()).then((body) => !body.error)
"""


def shot_scheduler_runs(browser, base, ids):
    # Last screen: the run orders the demo's missing wheels, which would change
    # the replenishment screens above.
    runs = f"{base}/odoo/action-mto_replenish.action_mto_scheduler_run"
    browser.goto(runs)
    done = browser.evaluate(
        JS_CALL_KW
        % {
            "model": "procurement.group",
            "method": "run_scheduler",
            "kwargs": json.dumps({"use_new_cursor": False}),
        }
    )
    if not done:
        raise RuntimeError("the scheduler run failed")
    browser.goto(runs)
    browser.wait_for(".o_list_view .o_data_row")
    browser.shot("scheduler_runs")
    browser.click(".o_list_view .o_data_row td.o_data_cell")
    browser.wait_for(".o_form_view .o_field_widget[name=progress]")
    browser.shot("scheduler_run")


SCREENS = {
    "product_per_order_route": shot_product_per_order,
    "product_inventory_promise": shot_product_inventory_promise,
    "product_promise": shot_product_promise,
    "bom_supply_method": shot_bom_supply,
    "bom_overview": shot_bom_overview,
    "replenishment_list": shot_replenishment,
    "replenishment_explanation": shot_explanation,
    "sale_order_cascade": shot_sale_order,
    "settings": shot_settings,
    "promise_timeline": shot_promise_timeline,
    "sale_line_timeline": shot_sale_line_timeline,
    # last: it runs the scheduler
    "scheduler_runs": shot_scheduler_runs,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=os.environ.get("MTO_SCREENSHOTS_DB"))
    parser.add_argument("--reuse-db", action="store_true")
    parser.add_argument("--only", action="append", choices=sorted(SCREENS))
    args = parser.parse_args()
    db = args.db or "mto_screenshots"
    build_database(db, args.reuse_db)

    port = run_tests.free_port()
    base = f"http://127.0.0.1:{port}"
    odoo_log = run_tests.LOG_DIR / f"{db}-screenshots.log"
    run_tests.LOG_DIR.mkdir(exist_ok=True)
    log(f"Odoo on {base} (log: {odoo_log.relative_to(ROOT)})")
    with open(odoo_log, "w") as out:
        server = subprocess.Popen(
            run_tests.odoo_cmd(
                "-d",
                db,
                "--db-filter",
                f"^{db}$",
                "--http-interface",
                "127.0.0.1",
                "--http-port",
                str(port),
                "--max-cron-threads=0",
                "--workers=0",
            ),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    browser = None
    try:
        wait_http(f"{base}/web/login")
        session = authenticate(base, db)
        ids = {
            key: record_id(base, session, model, xmlid)
            for key, model, xmlid in (
                ("bell_tmpl", "product.template", "product_bell_product_template"),
                ("bike", "product.product", "product_bike"),
                ("bike_tmpl", "product.template", "product_bike_product_template"),
                ("bom_bike", "mrp.bom", "bom_bike"),
                ("sale_order", "sale.order", "sale_order_bikes"),
            )
        }
        OUT.mkdir(parents=True, exist_ok=True)
        browser = Browser()
        browser.call("Page.enable")
        browser.call(
            "Network.setCookie",
            name="session_id",
            value=session,
            domain="127.0.0.1",
            path="/",
        )
        for name in args.only or SCREENS:
            log(f"screen {name}")
            SCREENS[name](browser, base, ids)
    finally:
        if browser:
            browser.close()
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
