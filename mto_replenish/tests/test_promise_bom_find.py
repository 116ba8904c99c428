# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The promise finds the BoMs of a whole tree with one search, as Odoo's
``_bom_find`` would find them, and leaves the choice to ``_bom_find`` when
another addon overrides it or ``_bom_find_domain``."""

from odoo.osv.expression import AND
from odoo.tests import freeze_time, tagged

from .test_cascade import CascadeCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:00:00")
class TestPromiseBomFind(CascadeCommon):
    """The bike's usual frame BoM (2 days, see ``CascadeCommon``: 13 days in
    all) and a slow one (9 days, coded SLOW) of a later sequence: Odoo picks the
    usual one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.frame_bom.sequence = 1
        cls.slow_bom = cls._create_bom(
            cls.frame,
            [(cls.tube, 3, "on_demand")],
            produce_delay=9,
            sequence=2,
            code="SLOW",
        )

    def _find(self, products, active_test=True):
        """(the promise's answer, Odoo's) for ``products``, with the arguments
        the promise gives."""
        warehouse = self.env["product.product"]._promise_warehouse()
        Bom = self.env["mrp.bom"].with_context(active_test=active_test)
        args = {
            "picking_type": warehouse.manu_type_id,
            "company_id": warehouse.company_id.id,
        }
        odoo = Bom._bom_find(products, **args)
        return (
            Bom._promise_find_boms(products, **args),
            {product.id: bom.id for product, bom in odoo.items() if bom},
        )

    def test_same_boms_as_bom_find(self):
        """Sequences, a variant's own BoM against its template's, an archived
        variant, an archived BoM, another company's BoM and a service: the
        same BoMs as ``_bom_find``."""
        Bom = self.env["mrp.bom"]
        self.assertTrue(Bom._promise_bom_find_is_standard())
        crate = self._create_variant_template("Crate", "Crate Size", ("S", "M", "L"))
        variant = {
            variant.product_template_attribute_value_ids.name: variant
            for variant in crate.product_variant_ids
        }
        small, medium, large = variant["S"], variant["M"], variant["L"]
        crate_bom = self._create_bom(small, [(self.tube, 1, "stock")], sequence=5)
        # a variant's own BoM of a later sequence than its template's loses
        self._create_bom(
            medium, [(self.tube, 2, "stock")], product_id=medium.id, sequence=9
        )
        # a variant's own BoM of an earlier sequence wins
        small_bom = self._create_bom(
            small, [(self.tube, 3, "stock")], product_id=small.id, sequence=1
        )
        large.active = False
        self._create_bom(self.wheel, [(self.tube, 1, "stock")], active=False)
        other_company = self.env["res.company"].create({"name": "Other Crates"})
        self._create_bom(
            self.paint, [(self.tube, 1, "stock")], company_id=other_company.id
        )
        service = self._create_product("Assembly", type="service", is_storable=False)
        self._create_bom(service, [(self.tube, 1, "stock")])
        products = (
            self.bike
            | self.frame
            | self.tube
            | self.wheel
            | self.paint
            | small
            | medium
            | large
            | service
        )
        expected = {
            self.bike.id: self.bike_bom.id,
            self.frame.id: self.frame_bom.id,
            small.id: small_bom.id,
            medium.id: crate_bom.id,
        }
        self.assertEqual(self._find(products), (expected, expected))
        # one product alone (Odoo then searches with a limit)
        self.assertEqual(
            self._find(medium), ({medium.id: crate_bom.id}, {medium.id: crate_bom.id})
        )
        # one archived variant alone: Odoo's search with a limit gives it the
        # template's BoM
        self.assertEqual(
            self._find(large), ({large.id: crate_bom.id}, {large.id: crate_bom.id})
        )
        # archived variants included: the template's BoM is theirs too
        expected[large.id] = crate_bom.id
        self.assertEqual(self._find(products, active_test=False), (expected, expected))

    def test_bom_find_override_is_honoured(self):
        """Another addon's ``_bom_find`` (a monkeypatch of the registry's method
        calling the original, as an addon loaded after this one does) picks
        the slow frame BoM: the promise follows it."""
        self.assertEqual(self.bike.explain_promise()["days"], 13.0)
        Bom = type(self.env["mrp.bom"])
        original = Bom._bom_find
        slow = self.slow_bom

        def _bom_find(bom, products, *args, **kwargs):
            found = original(bom, products, *args, **kwargs)
            if self.frame in found:
                found[self.frame] = slow.with_env(bom.env)
            return found

        self.patch(Bom, "_bom_find", _bom_find)
        self.env.invalidate_all()
        self.assertFalse(self.env["mrp.bom"]._promise_bom_find_is_standard())
        # the frame: own 9 + 1 instead of 2 + 1
        explanation = self.bike.explain_promise()
        self.assertEqual(explanation["days"], 13.0 + 7.0)
        self.assertEqual(
            [step["product_id"] for step in explanation["path"]],
            [self.bike.id, self.frame.id, self.tube.id],
        )

    def test_bom_find_domain_override_is_honoured(self):
        """Another addon's ``_bom_find_domain`` leaving the usual frame BoM
        out: the slow one is the frame's BoM in the promise."""
        Bom = type(self.env["mrp.bom"])
        original = Bom._bom_find_domain
        usual = self.frame_bom

        def _bom_find_domain(bom, products, *args, **kwargs):
            domain = original(bom, products, *args, **kwargs)
            return AND([domain, [("id", "!=", usual.id)]])

        self.patch(Bom, "_bom_find_domain", _bom_find_domain)
        self.env.invalidate_all()
        self.assertFalse(self.env["mrp.bom"]._promise_bom_find_is_standard())
        self.assertEqual(
            self._find(self.bike | self.frame),
            (
                {self.bike.id: self.bike_bom.id, self.frame.id: self.slow_bom.id},
                {self.bike.id: self.bike_bom.id, self.frame.id: self.slow_bom.id},
            ),
        )
        # the frame: own 9 + 1 instead of 2 + 1
        self.assertEqual(self.bike.explain_promise()["days"], 13.0 + 7.0)
