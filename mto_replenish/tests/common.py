# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from unittest.mock import patch

import odoo
from odoo import Command
from odoo.tests import TransactionCase


def warm_http_statics():
    """Odoo builds its table of static folders (parsing every manifest with
    ``ast``) lazily, in the thread of the first static request, while the
    browser's other requests compile code in theirs; Python 3.11's compiler is
    not safe for that (SystemError "AST constructor recursion depth mismatch",
    CPython issue 106905). Browser tests build it first, in the test's thread."""
    return odoo.http.root.statics


class MtoCommon(TransactionCase):
    """Warehouse, routes, a stock user and product builders shared by the tests.

    Rules are created as a normal user (Odoo deletes manual rules created by the
    superuser when the replenishment report opens) and always with a route (route
    order in the cache differs from the database's).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.route_buy = cls.env.ref("purchase_stock.route_warehouse0_buy")
        cls.route_manufacture = cls.env.ref("mrp.route_warehouse0_manufacture")
        cls.route_mto = cls.env.ref("stock.route_warehouse0_mto")
        cls.route_mto.active = True
        cls.customer = cls.env["res.partner"].create({"name": "Cycling Customer"})
        cls.vendor = cls.env["res.partner"].create({"name": "Parts Vendor"})
        cls.stock_user = cls.env["res.users"].create(
            {
                "name": "Stock Manager",
                "login": "mto_stock_manager",
                "groups_id": [
                    Command.set(
                        [
                            cls.env.ref("stock.group_stock_manager").id,
                            cls.env.ref("mrp.group_mrp_manager").id,
                            cls.env.ref("purchase.group_purchase_manager").id,
                            cls.env.ref("sales_team.group_sale_manager").id,
                        ]
                    )
                ],
            }
        )

    @classmethod
    def _create_product(cls, name, routes=(), vendor_delay=None, **vals):
        values = {
            "name": name,
            "type": "consu",
            "is_storable": True,
            "route_ids": [Command.set([r.id for r in routes])],
        }
        if vendor_delay is not None:
            values["seller_ids"] = [
                Command.create(
                    {"partner_id": cls.vendor.id, "delay": vendor_delay, "price": 10}
                )
            ]
        values.update(vals)
        return cls.env["product.product"].create(values)

    @classmethod
    def _create_variant_template(cls, name, attribute, values, routes=None, **vals):
        """A storable product template with one variant per value of a new
        attribute named ``attribute`` (variants in the order of ``values``);
        ``routes``, when given, replace the default routes."""
        attribute = cls.env["product.attribute"].create(
            {
                "name": attribute,
                "create_variant": "always",
                "value_ids": [Command.create({"name": value}) for value in values],
            }
        )
        values = {
            "name": name,
            "is_storable": True,
            "attribute_line_ids": [
                Command.create(
                    {
                        "attribute_id": attribute.id,
                        "value_ids": [Command.set(attribute.value_ids.ids)],
                    }
                )
            ],
        }
        if routes is not None:
            values["route_ids"] = [Command.set([route.id for route in routes])]
        values.update(vals)
        return cls.env["product.template"].create(values)

    @classmethod
    def _create_orderpoint(cls, product, route, **vals):
        values = {
            "product_id": product.id,
            "location_id": cls.stock_location.id,
            "route_id": route.id,
            "product_min_qty": 0,
            "product_max_qty": 0,
            "qty_multiple": 1,
        }
        values.update(vals)
        return (
            cls.env["stock.warehouse.orderpoint"]
            .with_user(cls.stock_user)
            .create(values)
            .with_user(cls.env.user)
        )

    @classmethod
    def _create_other_company_orderpoint(cls, company, product, route):
        """An automatic rule of ``product`` in ``company``'s own warehouse."""
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", company.id)], limit=1
        )
        return (
            cls.env["stock.warehouse.orderpoint"]
            .with_company(company)
            .create(
                {
                    "product_id": product.id,
                    "location_id": warehouse.lot_stock_id.id,
                    "company_id": company.id,
                    "route_id": route.id,
                }
            )
        )

    def _sell(self, product, qty, date=None, confirm=True):
        values = {
            "partner_id": self.customer.id,
            "order_line": [
                Command.create({"product_id": product.id, "product_uom_qty": qty})
            ],
        }
        if date:
            values["commitment_date"] = date
        order = self.env["sale.order"].create(values)
        if confirm:
            order.action_confirm()
        return order

    def _refuse_lines_of(self, product):
        """A database trigger refusing RFQ lines of ``product``: something the
        procurement does not expect (rolled back with the test)."""
        self.env.cr.execute(
            """
            CREATE FUNCTION mto_test_refuse_line() RETURNS trigger AS $$
            BEGIN
                IF NEW.product_id = %s THEN
                    RAISE EXCEPTION 'refused by the test trigger';
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER mto_test_refuse_line BEFORE INSERT ON purchase_order_line
            FOR EACH ROW EXECUTE FUNCTION mto_test_refuse_line();
            """,
            [product.id],
        )

    def _unseen_demand(self, product, qty):
        """An automatic buy rule of ``product`` and ``qty`` units sold that no
        scheduler has seen yet."""
        rule = self._create_orderpoint(product, self.route_buy, trigger="auto")
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("stock.no_auto_scheduler", 1)
        self._sell(product, qty)
        params.set_param("stock.no_auto_scheduler", "")
        return rule

    def _count_batches(self):
        """Queries of the scheduler's batches (the rules' evaluation), apart
        from the rest of Odoo's scheduler (e.g. reserving the deliveries): a
        wrapper calling the real method, not a mock."""
        Run = type(self.env["mto.scheduler.run"])
        original = Run._mto_process_batches
        counts = []

        def _mto_process_batches(run, *args, **kwargs):
            before = run.env.cr.sql_log_count
            result = original(run, *args, **kwargs)
            run.env.flush_all()
            counts.append(run.env.cr.sql_log_count - before)
            return result

        with patch.object(Run, "_mto_process_batches", _mto_process_batches):
            self.env.flush_all()
            self.env.invalidate_all()
            self.env["procurement.group"].run_scheduler()
        (count,) = counts
        return count
