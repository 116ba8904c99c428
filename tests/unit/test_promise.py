# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The promise critical path on plain data (no Odoo)."""

import json

import pytest
from conftest import load_pure

promise = load_pure("promise")
P, B, L, F = (
    promise.ProductData,
    promise.BomData,
    promise.BomLineData,
    promise.ForecastData,
)


def bicycle(tube_method="on_demand", tube_stock=0.0):
    """bike <- frame (on demand, made, 3 own) <- tube (bought 6) + paint (stock);
    bike <- wheels (stock, none on hand, bought 3); bike own 4."""
    products = {
        1: P(1, "bike", promise.MANUFACTURE, bom_id=10, mto=True),
        2: P(2, "frame", promise.MANUFACTURE, bom_id=20),
        3: P(3, "tube", promise.BUY, buy_days=6),
        4: P(4, "paint", promise.BUY, buy_days=8),
        5: P(5, "wheel", promise.BUY, buy_days=3),
    }
    boms = {
        10: B(
            10, 1, own_days=4, lines=[L(101, 2, 1, "on_demand"), L(102, 5, 2, "stock")]
        ),
        20: B(
            20,
            1,
            own_days=3,
            lines=[L(201, 3, 3, tube_method), L(202, 4, 0.5, "stock")],
        ),
    }
    forecasts = {3: F(tube_stock), 4: F(1.0), 5: F(0.0)}
    return products, boms, forecasts


def test_bicycle_critical_path():
    products, boms, forecasts = bicycle()
    result = promise.compute(1, 2, products, boms, forecasts)
    assert result["days"] == 13  # 4 + 3 + 6
    path = [
        (s["product"], s["supply_method"], s["days"], s["start"], s["end"])
        for s in result["path"]
    ]
    assert path == [
        ("bike", None, 4, 9, 13),
        ("frame", "on_demand", 3, 6, 9),
        ("tube", "on_demand", 6, 0, 6),
    ]
    assert result["path"][2]["quantity"] == 6
    assert result["path"][2]["bom_line_id"] == 201
    assert result["missing"] == []


def test_stocking_tubes_shortens_by_tube_lead():
    products, boms, forecasts = bicycle(tube_method="stock", tube_stock=6)
    assert promise.compute(1, 2, products, boms, forecasts)["days"] == 13 - 6


def test_stock_not_covered_costs_replenishment():
    products, boms, forecasts = bicycle(tube_method="stock", tube_stock=5)
    result = promise.compute(1, 2, products, boms, forecasts)
    assert result["days"] == 13
    assert result["path"][2]["supply_method"] == "stock"


def test_paint_covered_only_for_small_quantities():
    products, boms, forecasts = bicycle()
    # 4 bikes need 2 paint, 1 in stock: paint costs its 8 days of purchase
    assert promise.compute(1, 4, products, boms, forecasts)["days"] == 4 + 3 + 8


def test_future_forecast_counts_on_the_day_needed():
    products, boms, forecasts = bicycle(tube_method="stock")
    # 6 tubes arrive in 2 days; the frame needs them at day 0 (paint covered):
    # not covered -> 6 days
    forecasts[3] = F(0.0, [(2, 6.0)])
    assert promise.compute(1, 2, products, boms, forecasts)["days"] == 13
    # with another on-demand line of 2 days, the frame starts at day 2: covered
    products[6] = P(6, "bolt", promise.BUY, buy_days=2)
    boms[20].lines.append(L(203, 6, 1, "on_demand"))
    assert promise.compute(1, 2, products, boms, forecasts)["days"] == 4 + 3 + 2


def test_what_if_and_gains():
    products, boms, forecasts = bicycle()
    result = promise.explain(1, 2, products, boms, forecasts)
    assert result["days"] == 13
    # all on demand: paint (8) becomes the longest under the frame, wheels 3
    assert result["days_all_on_demand"] == 4 + 3 + 8
    assert result["days_all_stock"] == 4
    gains = {g["product"]: g["days_saved"] for g in result["stocking_gains"]}
    assert gains == {"frame": 13 - 7, "tube": 6}
    json.dumps(result)


def test_native_setting_follows_mto_route():
    products, boms, forecasts = bicycle(tube_method="product", tube_stock=6)
    assert promise.compute(1, 2, products, boms, forecasts)["days"] == 13 - 6
    products[3].mto = True
    assert promise.compute(1, 2, products, boms, forecasts)["days"] == 13


def test_kit_in_the_middle():
    products = {
        1: P(1, "top", promise.MANUFACTURE, bom_id=10),
        2: P(2, "kit", promise.NONE, bom_id=20),
        3: P(3, "sub", promise.MANUFACTURE, bom_id=30),
        4: P(4, "leaf", promise.BUY, buy_days=5),
        5: P(5, "screw", promise.BUY, buy_days=9),
    }
    boms = {
        10: B(10, own_days=1, lines=[L(1, 2, 1, "on_demand")]),
        20: B(20, kit=True, lines=[L(2, 3, 2, "on_demand"), L(3, 5, 1, "stock")]),
        30: B(30, own_days=2, lines=[L(4, 4, 1, "on_demand")]),
    }
    forecasts = {5: F(10.0)}
    result = promise.compute(1, 1, products, boms, forecasts)
    assert result["days"] == 1 + 0 + 2 + 5
    assert [s["replenish"] for s in result["path"]] == [
        "manufacture",
        "kit",
        "manufacture",
        "buy",
    ]
    assert result["path"][3]["quantity"] == 2


def test_missing_replenishment_is_reported():
    products = {
        1: P(1, "top", promise.MANUFACTURE, bom_id=10),
        2: P(2, "orphan"),
    }
    boms = {10: B(10, own_days=1, lines=[L(7, 2, 1, "on_demand")])}
    result = promise.compute(1, 1, products, boms, {})
    assert result["days"] == 1
    assert result["missing"] == [7]


def test_bom_quantity_scales_needs():
    products, boms, forecasts = bicycle()
    boms[20].product_qty = 2  # the frame BoM makes 2 frames
    result = promise.compute(1, 2, products, boms, forecasts)
    assert result["path"][2]["quantity"] == 3


def test_loop_is_refused():
    products = {1: P(1, "a", promise.MANUFACTURE, bom_id=10)}
    boms = {10: B(10, own_days=1, lines=[L(1, 1, 1, "on_demand")])}
    with pytest.raises(promise.PromiseError):
        promise.compute(1, 1, products, boms, {})


def test_loop_scaling_the_quantity_names_its_products():
    # a needs 2 b, b needs 1 a: the quantity doubles on each turn
    products = {
        1: P(1, "a", promise.MANUFACTURE, bom_id=10),
        2: P(2, "b", promise.MANUFACTURE, bom_id=20),
        3: P(3, "top", promise.MANUFACTURE, bom_id=30),
    }
    boms = {
        10: B(10, own_days=1, lines=[L(11, 2, 2, "on_demand")]),
        20: B(20, own_days=1, lines=[L(21, 1, 1, "on_demand")]),
        30: B(30, own_days=1, lines=[L(31, 1, 1, "on_demand")]),
    }
    with pytest.raises(promise.PromiseError) as error:
        promise.compute(3, 1, products, boms, {})
    assert error.value.products == ["a", "b", "a"]


def test_wide_tree_is_linear():
    products = {1: P(1, "top", promise.MANUFACTURE, bom_id=10)}
    lines = []
    for i in range(2, 2002):
        products[i] = P(i, f"c{i}", promise.BUY, buy_days=i % 7)
        lines.append(L(i, i, 1, "on_demand"))
    boms = {10: B(10, own_days=1, lines=lines)}
    assert promise.compute(1, 1, products, boms, {})["days"] == 7


def test_variant_lines_apply_to_their_variant_only():
    """One BoM for a red and a blue lamp: the pigment line is for red only."""
    products = {
        1: P(1, "lamp red", promise.MANUFACTURE, bom_id=10),
        2: P(2, "lamp blue", promise.MANUFACTURE, bom_id=10),
        3: P(3, "base", promise.BUY, buy_days=1),
        4: P(4, "red pigment", promise.NONE),
    }
    boms = {
        10: B(
            10,
            own_days=3,
            lines=[
                L(101, 3, 1, "stock"),
                L(102, 4, 1, "on_demand", skip_product_ids={2}),
            ],
        )
    }
    forecasts = {3: F(10.0)}
    red = promise.compute(1, 1, products, boms, forecasts)
    blue = promise.compute(2, 1, products, boms, forecasts)
    assert red["missing"] == [102]
    assert blue["missing"] == []
    assert blue["days"] == 3
    assert [s["product"] for s in blue["path"]] == ["lamp blue", "base"]


def test_days_to_prepare_overlap_the_components():
    """Odoo's Compute sets the days to prepare to the longest component lead (10):
    the promise is max(10, 10) + produce 2, not 10 + 10 + 2."""
    products = {
        1: P(1, "top", promise.MANUFACTURE, bom_id=10),
        2: P(2, "part", promise.BUY, buy_days=10),
    }
    boms = {10: B(10, own_days=2, prepare_days=10, lines=[L(1, 2, 1, "on_demand")])}
    result = promise.compute(1, 1, products, boms, {})
    assert result["days"] == 12
    assert [s["product"] for s in result["path"]] == ["top", "part"]
    # longer days to prepare than the components: they make the path
    boms[10].prepare_days = 15
    result = promise.compute(1, 1, products, boms, {})
    assert result["days"] == 17
    assert [(s["replenish"], s["days"]) for s in result["path"]] == [
        (promise.MANUFACTURE, 2),
        (promise.PREPARE, 15),
    ]
    # with every component in stock the days to prepare still apply
    assert promise.explain(1, 1, products, boms, {})["days_all_stock"] == 17


def test_order_lines_compete_for_a_stocked_component():
    """Two made-to-order lines need 6 and 5 of a component, 8 in stock: the first
    is served from stock, the second waits for the component's lead time."""
    products = {
        1: P(1, "chair", promise.MANUFACTURE, bom_id=10, mto=True),
        2: P(2, "leg", promise.BUY, buy_days=5),
    }
    boms = {10: B(10, own_days=2, lines=[L(101, 2, 1, "stock")])}
    forecasts = {2: F(8.0)}
    first, second = promise.explain_lines(
        [(1, 6, True), (1, 5, True)], products, boms, forecasts
    )
    assert first["days"] == 2
    assert second["days"] == 2 + 5
    assert second["path"][1]["product"] == "leg"
    # each line alone is covered
    assert promise.explain(1, 5, products, boms, forecasts)["days"] == 2


def test_order_line_from_stock_or_replenished():
    products = {
        1: P(1, "bolt", promise.BUY, buy_days=4),
        2: P(2, "nut", promise.BUY, buy_days=4),
    }
    # bolts: 3 on hand, 10 received on day 2; nuts: none, none coming
    forecasts = {1: F(3.0, [(2, 10.0)]), 2: F(0.0)}
    lines = [(1, 3, False), (1, 5, False), (1, 6, False), (2, 1, False)]
    results = promise.explain_lines(lines, products, {}, forecasts)
    assert [r["days"] for r in results] == [0, 2, 4, 4]
    assert [r["from_stock"] for r in results] == [True, True, False, False]
    assert results[0]["path"][0]["replenish"] == promise.STOCK
    assert results[3]["path"][0]["replenish"] == promise.BUY


def test_stock_taken_later_is_not_free_today():
    # 5 on hand, a delivery of 4 tomorrow: only 1 is free for a new line
    forecast = F(5.0, [(1, -4.0)])
    assert promise.ready_from_stock(forecast, 1) == 0
    assert promise.ready_from_stock(forecast, 2) is None


def _explain_pass_by_pass(product_id, quantity, products, boms, forecasts):
    """``explain`` as separate passes, none reusing another's nodes."""
    result = promise.compute(product_id, quantity, products, boms, forecasts)
    on_demand = promise.compute(
        product_id, quantity, products, boms, forecasts, policy=promise.ALL_ON_DEMAND
    )
    stocked = promise.compute(
        product_id, quantity, products, boms, forecasts, policy=promise.ALL_STOCK
    )
    gains = []
    for step in result["path"]:
        line_id = step["bom_line_id"]
        if not line_id or step["supply_method"] == promise.STOCK and step["days"] == 0:
            continue
        forecasts_if = dict(forecasts)
        forecasts_if[step["product_id"]] = F(on_hand=float("inf"))
        other = promise.compute(
            product_id,
            quantity,
            products,
            boms,
            forecasts_if,
            overrides={line_id: promise.STOCK},
        )
        gains.append(result["days"] - other["days"])
    return result, on_demand["days"], stocked["days"], gains


def _shared_tree():
    """top (own 1) <- sub (on demand, own 2) <- part (bought 5) + screw (bought 1)
    top <- deep (on demand, own 1) <- sub2 (on demand, own 1) <- part2 (bought 3)
    top <- paint (stock, bought 9, 2 on hand: covered for 1, not for 4)"""
    products = {
        1: P(1, "top", promise.MANUFACTURE, bom_id=10),
        2: P(2, "sub", promise.MANUFACTURE, bom_id=20),
        3: P(3, "part", promise.BUY, buy_days=5),
        4: P(4, "screw", promise.BUY, buy_days=1),
        5: P(5, "deep", promise.MANUFACTURE, bom_id=50),
        6: P(6, "sub2", promise.MANUFACTURE, bom_id=60),
        7: P(7, "part2", promise.BUY, buy_days=3),
        8: P(8, "paint", promise.BUY, buy_days=9),
    }
    boms = {
        10: B(
            10,
            1,
            own_days=1,
            lines=[
                L(101, 2, 1, "on_demand"),
                L(102, 5, 1, "on_demand"),
                L(103, 8, 1, "stock"),
            ],
        ),
        20: B(
            20,
            1,
            own_days=2,
            lines=[L(201, 3, 1, "on_demand"), L(202, 4, 2, "on_demand")],
        ),
        50: B(50, 1, own_days=1, lines=[L(501, 6, 1, "on_demand")]),
        60: B(60, 1, own_days=1, lines=[L(601, 7, 1, "on_demand")]),
    }
    return products, boms, {8: F(2.0)}


@pytest.mark.parametrize("quantity", [1, 4])
def test_explain_passes_share_the_on_demand_subtrees(monkeypatch, quantity):
    products, boms, forecasts = _shared_tree()
    result, on_demand, stocked, gains = _explain_pass_by_pass(
        1, quantity, products, boms, forecasts
    )
    expanded = []
    components = promise._Solver.components

    def counted(solver, bom, qty, product_id=None):
        expanded.append((solver.policy, bom.id))
        return components(solver, bom, qty, product_id)

    monkeypatch.setattr(promise._Solver, "components", counted)
    explanation = promise.explain(1, quantity, products, boms, forecasts)
    assert explanation["days"] == result["days"]
    assert explanation["path"] == result["path"]
    assert explanation["missing"] == result["missing"]
    assert explanation["days_all_on_demand"] == on_demand
    assert explanation["days_all_stock"] == stocked
    assert [g["days_saved"] for g in explanation["stocking_gains"]] == gains
    if quantity == 1:
        # paint covered: sub (2 + 5) then top 1
        assert explanation["days"] == 8
        assert [g["product"] for g in explanation["stocking_gains"]] == [
            "sub",
            "part",
        ]
    else:
        # paint bought: 9 then top 1
        assert explanation["days"] == 10
        assert gains == [10 - 8]
    # the on-demand subtrees are expanded once, by today's settings; the
    # top BoM (with a stocked line) again by each pass, and a gain's pass
    # expands again the BoMs above the line it stocks, and only those
    settings = [bom for policy, bom in expanded if policy == promise.SETTINGS]
    assert settings.count(20) == 1 + (quantity == 1)
    assert settings.count(50) == 1
    assert settings.count(60) == 1
    assert [bom for policy, bom in expanded if policy == promise.ALL_ON_DEMAND] == [10]


def test_shared_nodes_tainted_by_a_line_are_the_boms_above_it():
    products, boms, _forecasts = _shared_tree()
    shared = promise.Shared(boms, products)
    assert shared.tainted({601: promise.STOCK}) == {60, 50, 10}
    assert shared.tainted({201: promise.STOCK}) == {20, 10}
    assert shared.tainted({103: promise.STOCK}) == {10}
    assert shared.tainted({}) == set()
