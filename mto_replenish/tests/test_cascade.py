# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import MtoCommon


class CascadeCommon(MtoCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {"po_lead": 1.0, "days_to_purchase": 1.0, "manufacturing_lead": 1.0}
        )
        buy, manufacture, mto = cls.route_buy, cls.route_manufacture, cls.route_mto
        cls.tube = cls._create_product("Tube", [buy], vendor_delay=4)
        cls.paint = cls._create_product("Paint", [buy], vendor_delay=8)
        cls.wheel = cls._create_product("Wheel", [buy], vendor_delay=1)
        cls.frame = cls._create_product("Frame", [manufacture])
        cls.bike = cls._create_product("Bike", [mto, manufacture])
        cls.frame_bom = cls._create_bom(
            cls.frame,
            [(cls.tube, 3, "on_demand"), (cls.paint, 0.5, "stock")],
            produce_delay=2,
        )
        cls.bike_bom = cls._create_bom(
            cls.bike,
            [(cls.frame, 1, "on_demand"), (cls.wheel, 2, "stock")],
            produce_delay=3,
        )
        cls.tube_line, cls.paint_line = cls.frame_bom.bom_line_ids
        cls.frame_line, cls.wheel_line = cls.bike_bom.bom_line_ids
        cls.env["stock.quant"]._update_available_quantity(
            cls.paint, cls.stock_location, 1.0
        )
        cls.wheel_rule = cls._create_orderpoint(cls.wheel, cls.route_buy)

    @classmethod
    def _create_bom(cls, product, lines, bom_type="normal", **vals):
        values = {
            "product_tmpl_id": product.product_tmpl_id.id,
            "product_qty": 1.0,
            "type": bom_type,
            "bom_line_ids": [
                Command.create(
                    {
                        "product_id": component.id,
                        "product_qty": qty,
                        "supply_method": method,
                        "sequence": index,
                    }
                )
                for index, (component, qty, method) in enumerate(lines, 1)
            ],
        }
        values.update(vals)
        return cls.env["mrp.bom"].create(values)

    def _productions(self, product):
        return self.env["mrp.production"].search([("product_id", "=", product.id)])

    def _purchase_lines(self, product):
        return self.env["purchase.order.line"].search([("product_id", "=", product.id)])


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestCascade(CascadeCommon):
    def test_bicycle_sale_order_cascade(self):
        order = self._sell(self.bike, 2)

        bike_mo = self._productions(self.bike)
        self.assertEqual(len(bike_mo), 1)
        self.assertEqual(bike_mo.product_qty, 2.0)
        self.assertEqual(bike_mo.state, "confirmed")
        frame_mo = self._productions(self.frame)
        self.assertEqual(len(frame_mo), 1)
        self.assertEqual(frame_mo.product_qty, 2.0)
        self.assertEqual(frame_mo.move_dest_ids.raw_material_production_id, bike_mo)
        frame_move = bike_mo.move_raw_ids.filtered(lambda m: m.product_id == self.frame)
        self.assertEqual(frame_move.procure_method, "make_to_order")

        tube_line = self._purchase_lines(self.tube)
        self.assertEqual(len(tube_line), 1)
        self.assertEqual(tube_line.product_qty, 6.0)
        self.assertEqual(tube_line.move_dest_ids.raw_material_production_id, frame_mo)

        # paint: 1 in stock covers 2 x 0.5, nothing procured
        self.assertFalse(self._purchase_lines(self.paint))
        paint_move = frame_mo.move_raw_ids.filtered(
            lambda m: m.product_id == self.paint
        )
        self.assertEqual(paint_move.procure_method, "make_to_stock")
        self.assertEqual(paint_move.product_uom_qty, 1.0)

        # wheels: kept in stock by the 0/0/1 rule, which fired for the bike MO
        wheel_line = self._purchase_lines(self.wheel)
        self.assertEqual(len(wheel_line), 1)
        self.assertEqual(wheel_line.product_qty, 4.0)
        self.assertEqual(wheel_line.orderpoint_id, self.wheel_rule)
        self.assertFalse(wheel_line.move_dest_ids)
        self.assertEqual(bike_mo.cascade_replenishment_purchase_line_ids, wheel_line)

        # the whole tree is reachable from the sales order...
        self.assertEqual(order.cascade_production_ids, bike_mo | frame_mo)
        self.assertEqual(order.cascade_production_count, 2)
        self.assertEqual(order.cascade_purchase_line_ids, tube_line | wheel_line)
        self.assertEqual(
            order.cascade_purchase_order_ids, (tube_line | wheel_line).order_id
        )
        action = order.action_view_cascade_productions()
        self.assertEqual(
            self.env["mrp.production"].search(action["domain"]), bike_mo | frame_mo
        )
        # ... and from the top MO down and back up
        self.assertEqual(bike_mo.cascade_child_production_ids, frame_mo)
        self.assertEqual(
            bike_mo.cascade_purchase_order_ids, order.cascade_purchase_order_ids
        )
        self.assertEqual(frame_mo.cascade_parent_production_ids, bike_mo)
        self.assertEqual(frame_mo.cascade_sale_order_id, order)
        self.assertEqual(frame_mo.cascade_purchase_order_ids, tube_line.order_id)
        self.assertEqual(tube_line.order_id.state, "draft")

    def test_stock_line_wins_over_mto_route(self):
        self.frame.route_ids = [Command.link(self.route_mto.id)]
        self.frame_line.supply_method = "stock"
        self._sell(self.bike, 1)
        bike_mo = self._productions(self.bike)
        frame_move = bike_mo.move_raw_ids.filtered(lambda m: m.product_id == self.frame)
        self.assertEqual(frame_move.procure_method, "make_to_stock")
        self.assertFalse(frame_move.created_production_id)
        self.assertFalse(self._productions(self.frame))
        # control: the native setting follows the MTO route of the frame
        self.frame_line.supply_method = "product"
        self._sell(self.bike, 1)
        self.assertEqual(len(self._productions(self.frame)), 1)

    def test_native_setting_without_mto_route_takes_from_stock(self):
        self.frame_line.supply_method = "product"
        self._sell(self.bike, 1)
        self.assertFalse(self._productions(self.frame))

    def test_on_demand_with_mto_route_archived(self):
        self.route_mto.active = False
        self.bike.route_ids = [Command.link(self.route_manufacture.id)]
        production = self.env["mrp.production"].create(
            {"product_id": self.bike.id, "product_qty": 1.0, "bom_id": self.bike_bom.id}
        )
        production.action_confirm()
        frame_mo = self._productions(self.frame)
        self.assertEqual(frame_mo.product_qty, 1.0)
        self.assertEqual(production.cascade_child_production_ids, frame_mo)
        self.assertEqual(self._purchase_lines(self.tube).product_qty, 3.0)

    def test_depth_four_with_kit_in_the_middle(self):
        buy, manufacture, mto = self.route_buy, self.route_manufacture, self.route_mto
        leaf = self._create_product("Leaf", [buy], vendor_delay=2)
        screw = self._create_product("Screw", [mto, buy], vendor_delay=2)
        sub = self._create_product("Sub", [manufacture])
        kit = self._create_product("Kit", [])
        level1 = self._create_product("Level 1", [manufacture])
        top = self._create_product("Top", [manufacture])
        self._create_bom(sub, [(leaf, 2, "on_demand")])
        self._create_bom(
            kit, [(sub, 2, "on_demand"), (screw, 4, "stock")], bom_type="phantom"
        )
        self._create_bom(level1, [(kit, 1, "product")])
        self._create_bom(top, [(level1, 1, "on_demand")])
        self.env["stock.quant"]._update_available_quantity(
            screw, self.stock_location, 100.0
        )

        production = self.env["mrp.production"].create(
            {"product_id": top.id, "product_qty": 3.0}
        )
        production.action_confirm()

        level1_mo = self._productions(level1)
        self.assertEqual(level1_mo.product_qty, 3.0)
        # the kit is exploded in level 1's MO: its lines' settings apply
        self.assertEqual(
            level1_mo.move_raw_ids.mapped(lambda m: (m.product_id, m.procure_method)),
            [(sub, "make_to_order"), (screw, "make_to_stock")],
        )
        sub_mo = self._productions(sub)
        self.assertEqual(sub_mo.product_qty, 6.0)
        self.assertEqual(sub_mo.move_dest_ids.raw_material_production_id, level1_mo)
        leaf_line = self._purchase_lines(leaf)
        self.assertEqual(leaf_line.product_qty, 12.0)
        self.assertEqual(leaf_line.move_dest_ids.raw_material_production_id, sub_mo)
        self.assertFalse(self._purchase_lines(screw))
        self.assertEqual(production.cascade_child_production_ids, level1_mo | sub_mo)
        self.assertEqual(production.cascade_purchase_order_ids, leaf_line.order_id)
        self.assertEqual(sub_mo.cascade_parent_production_ids, level1_mo | production)

    def test_top_mo_from_reordering_rule(self):
        rule = self._create_orderpoint(
            self.frame,
            self.route_manufacture,
            product_min_qty=2,
            product_max_qty=2,
        )
        self.env["procurement.group"].run_scheduler()
        frame_mo = self._productions(self.frame)
        self.assertEqual(frame_mo.orderpoint_id, rule)
        self.assertEqual(frame_mo.state, "confirmed")
        tube_line = self._purchase_lines(self.tube)
        self.assertEqual(tube_line.product_qty, 6.0)
        self.assertEqual(tube_line.move_dest_ids.raw_material_production_id, frame_mo)

    def test_set_all_lines_at_once(self):
        self.assertFalse(self.bike_bom.cascade_supply_method)
        self.bike_bom.cascade_supply_method = "stock"
        self.assertEqual(
            self.bike_bom.bom_line_ids.mapped("supply_method"), ["stock", "stock"]
        )
        self.assertEqual(self.bike_bom.cascade_supply_method, "stock")

    def test_bom_structure_report_shows_supply_method(self):
        report = self.env["report.mrp.report_bom_structure"]
        data = report._get_report_data(self.bike_bom.id)["lines"]
        components = {c["product_id"]: c for c in data["components"]}
        self.assertEqual(components[self.frame.id]["supply_method"], "on_demand")
        self.assertEqual(components[self.frame.id]["supply_method_name"], "On demand")
        self.assertEqual(components[self.wheel.id]["supply_method"], "stock")
        tube = components[self.frame.id]["components"][0]
        self.assertEqual(tube["supply_method"], "on_demand")


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestCascadePreflight(CascadeCommon):
    def test_made_to_order_line_whatever_the_rule_state(self):
        """A line is made to order when the warehouse's make-to-order route is
        on the product, its rule archived or not; not otherwise."""
        bike_line = self._sell(self.bike, 1, confirm=False).order_line
        wheel_line = self._sell(self.wheel, 1, confirm=False).order_line
        self.assertTrue(bike_line._cascade_is_mto())
        self.assertFalse(wheel_line._cascade_is_mto())
        self.warehouse.mto_pull_id.active = False
        self.env.invalidate_all()
        self.assertTrue(bike_line._cascade_is_mto())
        self.assertFalse(wheel_line._cascade_is_mto())

    def test_bom_line_refused(self):
        orphan = self._create_product("Orphan", [])
        lines_before = self.env["mrp.bom.line"].search_count([])
        with self.assertRaises(ValidationError) as error:
            self.frame_bom.write(
                {
                    "bom_line_ids": [
                        Command.create(
                            {
                                "product_id": orphan.id,
                                "product_qty": 1,
                                "supply_method": "on_demand",
                            }
                        )
                    ]
                }
            )
        message = str(error.exception)
        self.assertIn("Orphan", message)
        self.assertIn(self.frame_bom.display_name, message)
        self.assertIn("Buy route and a vendor", message)
        self.assertEqual(self.env["mrp.bom.line"].search_count([]), lines_before)
        # a bought component without vendor
        novendor = self._create_product("No Vendor", [self.route_buy])
        with self.assertRaises(ValidationError) as error:
            self.paint_line.write(
                {"product_id": novendor.id, "supply_method": "on_demand"}
            )
        self.assertIn("add a vendor to No Vendor", str(error.exception))
        self.assertEqual(self.paint_line.product_id, self.paint)

    def test_sale_order_refused_before_anything_is_created(self):
        self.tube.seller_ids.unlink()
        order = self._sell(self.bike, 1, confirm=False)
        with self.assertRaises(UserError) as error:
            order.action_confirm()
        message = str(error.exception)
        self.assertIn("Tube", message)
        self.assertIn(self.frame_bom.display_name, message)
        self.assertIn("line 1, 3 Units Tube", message)
        self.assertIn("add a vendor to Tube", message)
        self.assertEqual(order.state, "draft")
        self.assertFalse(
            self.env["mrp.production"]
            .search([])
            .filtered(lambda p: p.product_id in (self.bike | self.frame))
        )
        self.assertFalse(self._purchase_lines(self.tube))
        self.assertFalse(order.picking_ids)
