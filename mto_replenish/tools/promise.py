# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Promise date of an order line: the critical path through the BoM tree.

Plain data in (dataclasses filled by the ORM layer), plain data out; nothing here
imports Odoo, so the arithmetic is tested directly.

The definition. For a line of quantity q ordered on day D::

    promise date = D + max(customer lead time, R + outgoing route delays)
                     + the company's sales security lead time

R, the days until the goods are ready (``explain_lines``):

* a made-to-order line: the critical path below, for q;
* any other line (per-order 0/0/1, reordering rule, plain stock): 0 when the
  warehouse's forecast, less what earlier lines of the order took, covers q
  (or the day of the receipt that covers it, if sooner than a replenishment),
  else the replenishment time: buy = vendor lead time + purchase security lead
  time + days to purchase; manufacture = max(days to prepare the MO, path through
  the components) + manufacturing lead time + manufacturing security lead time;
  each plus its incoming route delays (``ProductData.route_days``: the lead
  times of the warehouse's rules between the supply and the stock).

Outgoing route delays are the lead times of the delivery rules (pick, pack, ship).

The lines of one order draw on the same forecasts in their order (stock taken by
one line, directly or by its components, is not free for the next); the
customer lead time and the sales security lead time are added by the ORM layer
(``sale.order.line._promise_explain_order``).

Every step of the path is scheduled as soon as possible from today (offset 0):

* a manufactured node takes its own lead time (manufacturing lead time +
  manufacturing security lead time) after the longest of its components and of its
  days to prepare the MO (Odoo's *Compute* sets these to the longest component
  lead: they overlap, they do not add up);
* an "on demand" component costs its own replenishment: the component's promise when
  it is manufactured, vendor lead time + purchase security lead time + days to
  purchase when it is bought;
* a "from stock" component costs nothing when the forecast covers the need on the day
  its parent starts, otherwise its replenishment as above;
* a kit line costs the longest of the kit's own lines (kits take no time);
* the native setting ("product") follows the component's routes: on demand when it
  carries the make-to-order route, from stock otherwise.
"""

from dataclasses import dataclass, field, fields, replace
from functools import partial

PRODUCT = "product"
ON_DEMAND = "on_demand"
STOCK = "stock"
#: taken from stock as far as it is free, the rest ordered for the MO: the
#: component costs its replenishment only when the forecast does not cover it,
#: as a "from stock" component
STOCK_ELSE_ON_DEMAND = "stock_else_on_demand"
SUPPLY_METHODS = (PRODUCT, ON_DEMAND, STOCK, STOCK_ELSE_ON_DEMAND)

#: What-if policies: today's settings, every component on demand, every component
#: available in stock.
SETTINGS = "settings"
ALL_ON_DEMAND = "all_on_demand"
ALL_STOCK = "all_stock"

MANUFACTURE = "manufacture"
BUY = "buy"
KIT = "kit"
NONE = "none"
#: a step of the path: the days to prepare the MO, longer than its components
PREPARE = "prepare"

_EPSILON = 1e-9


@dataclass(slots=True)
class ProductData:
    """One product as the promise sees it.

    :param replenish: ``manufacture``, ``buy`` or ``none``: how an order for it is
        filled (the first applicable route by sequence, as Odoo picks it)
    :param bom_id: its BoM (normal or kit), if any
    :param buy_days: vendor lead time + purchase security lead + days to purchase
        + the incoming route delays of a purchase (``route_days`` included)
    :param route_days: incoming route delays of its replenishment: the rules
        between the supply and the stock (multi-step receipts, the components'
        pick and the finished products' storage of 2- and 3-step manufacturing)
    :param mto: carries the make-to-order route (native behaviour of a component)
    """

    id: int
    name: str = ""
    replenish: str = NONE
    bom_id: int = None
    buy_days: float = 0.0
    route_days: float = 0.0
    mto: bool = False


@dataclass(slots=True)
class BomLineData:
    """:param skip_product_ids: the products made with this BoM for which Odoo's
    explosion skips the line (``mrp.bom.line._skip_bom_line``: a line of some
    variants only)"""

    id: int
    product_id: int
    qty: float
    supply_method: str = PRODUCT
    skip_product_ids: frozenset = frozenset()


@dataclass(slots=True)
class BomData:
    """:param own_days: manufacturing lead time + manufacturing security lead time
        (0 for a kit)
    :param prepare_days: days to prepare the MO: the components' time Odoo plans
        for before the MO starts (its *Compute* sets the longest component lead),
        so it overlaps the component path instead of adding to it (0 for a kit)
    """

    id: int
    product_qty: float = 1.0
    kit: bool = False
    own_days: float = 0.0
    lines: list = field(default_factory=list)
    prepare_days: float = 0.0


@dataclass(slots=True)
class ForecastData:
    """Quantity on hand today and dated future changes ``(day offset, qty)``."""

    on_hand: float = 0.0
    moves: list = field(default_factory=list)

    def at(self, day):
        return self.on_hand + sum(qty for when, qty in self.moves if when <= day)


@dataclass(slots=True)
class Step:
    product_id: int
    product: str
    bom_id: int
    bom_line_id: int
    supply_method: str
    replenish: str
    days: float
    start: float = 0.0
    end: float = 0.0
    quantity: float = 0.0
    #: the part of ``days`` spent on the route's transfers
    route_days: float = 0.0

    def as_dict(self):
        # a flat record: ``asdict`` without its deep copy of every value
        return {name: getattr(self, name) for name in _STEP_FIELDS}


_STEP_FIELDS = tuple(f.name for f in fields(Step))


class Node:
    """Duration of a subtree and its critical chain (relative to its own start).

    The steps of the chain are made when they are first read (``build`` makes
    them): only the chains that turn out critical are ever made.

    ``pure``: no line of the subtree was supplied from stock (every component
    on demand), so the node depends on neither the forecasts nor what earlier
    needs took from them (see ``Shared``).
    """

    __slots__ = ("duration", "missing", "pure", "_steps", "_build")

    def __init__(self, duration, steps=None, missing=None, build=None, pure=True):
        self.duration = duration
        self.missing = missing if missing is not None else ()
        self.pure = pure
        self._steps = steps
        self._build = build

    @property
    def steps(self):
        if self._steps is None:
            self._steps = self._build() if self._build else []
            self._build = None
        return self._steps


class PromiseError(Exception):
    """The BoM tree loops on itself.

    :param products: names of the products of the loop, from the first one met
        again down to the one whose BoM uses it
    :param product_ids: their ids, in the same order
    """

    def __init__(self, products, product_ids=()):
        self.products = list(products)
        self.product_ids = list(product_ids)
        super().__init__("BoM loop: " + " -> ".join(self.products))


class Shared:
    """Nodes shared by the passes of one ``explain`` (today's settings, every
    component on demand, each stocking gain).

    A subtree whose lines are all supplied on demand under today's settings (a
    pure node) comes out the same in every pass but the "all in stock" one: it
    reads no forecast and takes nothing from them, and "every component on
    demand" is what it already does. The settings passes keep their pure
    nodes here by (product, BoM, quantity); a pass trying another setting on a
    line (``overrides``) neither reads nor keeps the nodes of the BoMs above
    that line (``tainted``), whose result the line may change.

    A pure node was expanded down to its last line without meeting a loop, so
    reusing it cannot hide one either.
    """

    def __init__(self, boms, products):
        self.boms = boms
        self.products = products
        self.nodes = {}
        self._parents = None
        self._bom_of_line = None

    def tainted(self, line_ids):
        """Ids of the BoMs whose subtree holds one of ``line_ids`` (the BoMs of
        these lines, then every BoM using a product made with one of them)."""
        if not line_ids:
            return frozenset()
        if self._parents is None:
            # BoM id -> ids of the BoMs with a line of a product made with it;
            # BoM line id -> its BoM id
            parents, self._bom_of_line = {}, {}
            for bom in self.boms.values():
                for line in bom.lines:
                    self._bom_of_line[line.id] = bom.id
                    product = self.products.get(line.product_id)
                    if product is not None and product.bom_id:
                        parents.setdefault(product.bom_id, set()).add(bom.id)
            self._parents = parents
        todo = [
            self._bom_of_line[line_id]
            for line_id in line_ids
            if line_id in self._bom_of_line
        ]
        seen = set(todo)
        while todo:
            for parent in self._parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return frozenset(seen)


class _Solver:
    def __init__(
        self, products, boms, forecasts, policy, overrides, taken=None, shared=None
    ):
        self.products = products
        self.boms = boms
        self.forecasts = forecasts
        self.policy = policy
        self.overrides = overrides or {}
        # nodes of the other passes (``Shared``): read by the passes that see a
        # pure node the same way, kept by the settings passes
        self.shared = shared if policy in (SETTINGS, ALL_ON_DEMAND) else None
        self.keep = shared is not None and policy == SETTINGS
        self.tainted = shared.tainted(self.overrides) if self.shared is not None else ()
        # product id -> quantity of its forecast already promised to earlier
        # lines (shared by the lines of one order, which compete for stock)
        self.taken = taken if taken is not None else {}
        self.memo = {}
        # (product, BoM) pairs being expanded, outermost first: a loop is met
        # again whatever the quantity (a loop scaling the quantity never repeats
        # the same (product, BoM, quantity))
        self.visiting = []

    def method(self, line):
        if self.policy == ALL_ON_DEMAND:
            return ON_DEMAND
        if self.policy == ALL_STOCK:
            return STOCK
        return line_method(line, self.products, self.overrides)

    def covered(self, product_id, qty, day):
        """Whether the forecast, less what earlier needs took, covers ``qty`` on
        ``day``; if so the quantity is taken from it."""
        if self.policy == ALL_STOCK:
            return True
        forecast = self.forecasts.get(product_id)
        free = 0.0
        if forecast is not None:
            free = forecast.at(day) - self.taken.get(product_id, 0.0)
        if free + _EPSILON < qty:
            return False
        self.taken[product_id] = self.taken.get(product_id, 0.0) + qty
        return True

    def manufactured(self, product_id, qty, bom_id=None):
        """Node of a product made with its BoM (kit BoMs take no time)."""
        product = self.products[product_id]
        bom = self.boms[bom_id or product.bom_id]
        key = (product_id, bom.id, round(qty, 6))
        if key in self.memo:
            return self.memo[key]
        shared = self.shared is not None and bom.id not in self.tainted
        if shared and key in self.shared.nodes:
            return self.shared.nodes[key]
        pair = (product_id, bom.id)
        if pair in self.visiting:
            loop = self.visiting[self.visiting.index(pair) :] + [pair]
            raise PromiseError(
                (self.products[pid].name or str(pid) for pid, _bom in loop),
                [pid for pid, _bom in loop],
            )
        self.visiting.append(pair)
        components = self.components(bom, qty, product_id)
        self.visiting.pop()
        below = components
        if bom.prepare_days > components.duration + _EPSILON:
            prepare = Step(
                product_id=product_id,
                product=product.name,
                bom_id=bom.id,
                bom_line_id=None,
                supply_method=None,
                replenish=PREPARE,
                days=bom.prepare_days,
                quantity=qty,
            )
            below = Node(
                bom.prepare_days, [prepare], components.missing, pure=components.pure
            )
        route_days = 0.0 if bom.kit else product.route_days

        def build():
            head = Step(
                product_id=product_id,
                product=product.name,
                bom_id=bom.id,
                bom_line_id=None,
                supply_method=None,
                replenish=KIT if bom.kit else MANUFACTURE,
                days=bom.own_days + route_days,
                quantity=qty,
                route_days=route_days,
            )
            return [head] + below.steps

        duration = below.duration + bom.own_days + route_days
        node = Node(duration, missing=below.missing, build=build, pure=below.pure)
        self.memo[key] = node
        if shared and self.keep and node.pure:
            self.shared.nodes[key] = node
        return node

    def components(self, bom, qty, product_id=None):
        """Longest component path of ``bom`` making ``qty`` of ``product_id`` (in
        its UoM), over the lines that apply to that product."""
        factor = qty / (bom.product_qty or 1.0)
        decided = []
        stocked = []
        missing = []
        policy = self.policy
        for line in bom.lines:
            if line.skip_product_ids and product_id in line.skip_product_ids:
                continue
            need = line.qty * factor
            if policy == SETTINGS:
                method = line_method(line, self.products, self.overrides)
            else:
                method = self.method(line)
            if method == STOCK:
                stocked.append((line, need))
            else:
                decided.append(self.line_node(line, need, ON_DEMAND))
        start = max((node.duration for node in decided), default=0.0)
        for line, need in stocked:
            if self.covered(line.product_id, need, start):
                decided.append(self.free_node(line, need))
            else:
                decided.append(self.line_node(line, need, STOCK))
        pure = not stocked
        for node in decided:
            missing.extend(node.missing)
            pure = pure and node.pure
        if not decided:
            return Node(0.0, [], missing, pure=pure)
        # the first longest wins: ties keep the BoM's line order
        best = decided[0]
        for node in decided[1:]:
            if node.duration > best.duration + _EPSILON:
                best = node
        return Node(best.duration, missing=missing, build=lambda: best.steps, pure=pure)

    def leaf(self, line, need, method, replenish, days, missing=(), product=None):
        """Node of a component that ends a path: taken from stock, bought, or
        impossible to replenish (then listed as missing)."""
        if product is None:
            product = self.products[line.product_id]
        # (the step is made if the leaf turns out critical: a partial, lighter
        # than a closure, for the many leaves that never do)
        build = partial(_leaf_steps, product, line, need, method, replenish, days)
        return Node(days, missing=tuple(missing) if missing else (), build=build)

    def free_node(self, line, need):
        return self.leaf(line, need, STOCK, STOCK, 0.0)

    def line_node(self, line, need, method):
        """Node of a component that has to be replenished (on demand, or stocked but
        not covered by the forecast)."""
        product = self.products[line.product_id]
        bom = self.boms.get(product.bom_id)
        if bom and (bom.kit or product.replenish == MANUFACTURE):
            node = self.manufactured(product.id, need)
        elif product.replenish == BUY:
            return self.leaf(line, need, method, BUY, product.buy_days, product=product)
        else:
            return self.leaf(
                line, need, method, NONE, 0.0, missing=[line.id], product=product
            )

        def build():
            head = replace(node.steps[0], bom_line_id=line.id, supply_method=method)
            return [head] + node.steps[1:]

        return Node(node.duration, missing=node.missing, build=build, pure=node.pure)


def _leaf_steps(product, line, need, method, replenish, days):
    """The step of a leaf (``_Solver.leaf``)."""
    step = Step(
        product_id=product.id,
        product=product.name,
        bom_id=None,
        bom_line_id=line.id,
        supply_method=method,
        replenish=replenish,
        days=days,
        quantity=need,
        route_days=product.route_days if replenish == BUY else 0.0,
    )
    return [step]


def line_method(line, products, overrides=None):
    """``on_demand`` or ``stock``: how a BoM line is supplied under today's
    settings (``overrides``: BoM line id -> supply method, to try another)."""
    method = line.supply_method
    if overrides:
        method = overrides.get(line.id, method)
    method = method or PRODUCT
    if method == PRODUCT:
        return ON_DEMAND if products[line.product_id].mto else STOCK
    if method == STOCK_ELSE_ON_DEMAND:
        return STOCK
    return method


def stocked_products(products, boms):
    """Ids of the products some line takes from stock under today's settings:
    the only components whose forecast a promise reads (the other passes take
    every component on demand, take every one from stock without reading
    forecasts, or stock one line with an unlimited forecast)."""
    return {
        line.product_id
        for bom in boms.values()
        for line in bom.lines
        if line_method(line, products) == STOCK
    }


def _place(steps, total):
    """Give each step of a critical chain its offsets from today (ASAP)."""
    placed = []
    end = total
    for step in steps:
        start = end - step.days
        placed.append(replace(step, start=start, end=end))
        end = start
    return placed


def compute(
    product_id,
    quantity,
    products,
    boms,
    forecasts,
    policy=SETTINGS,
    bom_id=None,
    overrides=None,
    taken=None,
    shared=None,
):
    """Days the customer waits for ``quantity`` of ``product_id``, with the chain.

    :param products: dict id -> ProductData (every product of the tree)
    :param boms: dict id -> BomData (every BoM of the tree)
    :param forecasts: dict product id -> ForecastData (stocked components)
    :param policy: SETTINGS, ALL_ON_DEMAND or ALL_STOCK
    :param bom_id: the BoM to use for the top product (default: its own)
    :param overrides: dict BoM line id -> supply method, to try another setting
    :param taken: dict product id -> quantity of the forecasts already promised
        (updated with what this product's components take from stock)
    :param shared: ``Shared`` nodes of the other passes over the same
        ``products`` and ``boms`` (``explain``)
    :return: dict with ``days``, ``path`` (list of step dicts, top first) and
        ``missing`` (ids of BoM lines that cannot be replenished)
    """
    solver = _Solver(products, boms, forecasts, policy, overrides, taken, shared)
    product = products[product_id]
    bom_id = bom_id or product.bom_id
    if bom_id and (product.replenish == MANUFACTURE or bom_id != product.bom_id):
        node = solver.manufactured(product_id, quantity, bom_id)
    elif product.replenish == BUY:
        step = Step(
            product_id=product_id,
            product=product.name,
            bom_id=None,
            bom_line_id=None,
            supply_method=None,
            replenish=BUY,
            days=product.buy_days,
            quantity=quantity,
            route_days=product.route_days,
        )
        node = Node(product.buy_days, [step], [])
    else:
        node = Node(0.0, [], [])
    return {
        "days": node.duration,
        "path": [step.as_dict() for step in _place(node.steps, node.duration)],
        "missing": sorted(set(node.missing)),
    }


def explain(product_id, quantity, products, boms, forecasts, bom_id=None, taken=None):
    """Today's promise, the what-if values and the gain of stocking each component
    of the critical path (days saved if that line were covered by stock).

    :param taken: see ``compute``; only today's settings take from it, the
        what-if values and gains start from the same state without changing it
    """
    args = (product_id, quantity, products, boms, forecasts)
    before = dict(taken or {})
    shared = Shared(boms, products)
    result = compute(*args, bom_id=bom_id, taken=taken, shared=shared)
    on_demand = compute(
        *args,
        policy=ALL_ON_DEMAND,
        bom_id=bom_id,
        taken=dict(before),
        shared=shared,
    )
    stocked = compute(*args, policy=ALL_STOCK, bom_id=bom_id)
    gains = []
    for step in result["path"]:
        line_id = step["bom_line_id"]
        if not line_id or step["supply_method"] == STOCK and step["days"] == 0:
            continue
        forecasts_if = dict(forecasts)
        forecasts_if[step["product_id"]] = ForecastData(on_hand=float("inf"))
        other = compute(
            *args[:4],
            forecasts_if,
            bom_id=bom_id,
            overrides={line_id: STOCK},
            taken=dict(before),
            shared=shared,
        )
        gains.append(
            {
                "bom_line_id": line_id,
                "product_id": step["product_id"],
                "product": step["product"],
                "days_saved": result["days"] - other["days"],
            }
        )
    result.update(
        {
            "quantity": quantity,
            "days_all_on_demand": on_demand["days"],
            "days_all_stock": stocked["days"],
            "stocking_gains": gains,
        }
    )
    return result


def ready_from_stock(forecast, quantity, taken=0.0, until=None):
    """First day from which the forecast, less ``taken``, keeps covering
    ``quantity`` (today, or the day of a receipt), or None; only days before
    ``until`` count."""
    if forecast is None:
        return None
    days = sorted({0} | {max(0, when) for when, qty in forecast.moves if qty > 0})
    checkpoints = sorted({0} | {max(0, when) for when, _qty in forecast.moves})
    for day in days:
        if day and until is not None and day >= until - _EPSILON:
            return None
        lowest = min(forecast.at(point) for point in checkpoints if point >= day)
        if lowest - taken + _EPSILON >= quantity:
            return day
    return None


def explain_lines(lines, products, boms, forecasts):
    """R, the days until the goods of each order line are ready, the lines drawing
    in their order on the same forecasts.

    :param lines: list of (product id, quantity, made to order)
    :return: one ``explain`` dict per line; a line served from the forecast
        has a single ``stock`` step in its path and ``from_stock`` True

    A made-to-order line is procured for itself: R is its promise (the path
    through its BoM, its components competing for stock with earlier lines). Any
    other line is served from the warehouse's forecast when it covers the
    quantity (R is 0, or the day of the receipt that covers it if that comes
    before a replenishment would); otherwise R is the product's replenishment
    time (buy or manufacture, as above).
    """
    taken = {}
    results = []
    for product_id, quantity, made_to_order in lines:
        args = (product_id, quantity, products, boms, forecasts)
        if made_to_order:
            result = explain(*args, taken=taken)
            result["from_stock"] = False
            results.append(result)
            continue
        replenish = explain(*args, taken=dict(taken))
        day = ready_from_stock(
            forecasts.get(product_id),
            quantity,
            taken.get(product_id, 0.0),
            until=replenish["days"] if replenish["path"] else None,
        )
        if day is None:
            # replenished: take its components from the forecasts for real
            result = explain(*args, taken=taken)
            result["from_stock"] = False
            results.append(result)
            continue
        taken[product_id] = taken.get(product_id, 0.0) + quantity
        product = products[product_id]
        step = Step(
            product_id=product_id,
            product=product.name,
            bom_id=None,
            bom_line_id=None,
            supply_method=STOCK,
            replenish=STOCK,
            days=float(day),
            start=0.0,
            end=float(day),
            quantity=quantity,
        )
        replenish.update(
            {
                "days": float(day),
                "path": [step.as_dict()],
                "missing": [],
                "stocking_gains": [],
                "from_stock": True,
            }
        )
        results.append(replenish)
    return results
