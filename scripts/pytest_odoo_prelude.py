"""Loaded by ./mto test just before pytest-odoo (``-p pytest_odoo_prelude -p odoo``).

pytest-odoo imports Odoo's test framework after parsing Odoo's options, where test
mode is still off (it turns it on per test module, since test mode while the
registry loads would run every module's at_install tests), so Odoo logs an ERROR
"Importing test framework, avoid importing from business modules and when not
running in test mode". Here the import is the test runner's own: that one message is
dropped, nothing else.
"""

import logging


class _TestFrameworkImport(logging.Filter):
    def filter(self, record):
        return not record.getMessage().startswith("Importing test framework")


logging.getLogger("odoo.tests.common").addFilter(_TestFrameworkImport())
