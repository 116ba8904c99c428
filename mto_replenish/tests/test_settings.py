# Copyright 2026 mto_replenish contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import MtoCommon


@tagged("post_install", "-at_install")
class TestSettings(MtoCommon):
    def test_horizon_setting_writes_company(self):
        with Form(self.env["res.config.settings"]) as settings:
            settings.horizon_days = 3
        self.assertEqual(self.company.horizon_days, 3)

    def test_horizon_setting_refuses_nonsense(self):
        for value in (-1, 3651):
            with (
                self.assertRaisesRegex(ValidationError, "between 0 and 3650 days"),
                self.env.cr.savepoint(),
            ):
                self.company.horizon_days = value
            self.company.invalidate_recordset()
            self.assertEqual(self.company.horizon_days, 0)
