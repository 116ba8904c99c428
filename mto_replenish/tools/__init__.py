# Pure computations: nothing here imports an Odoo model, so every module can be
# imported and tested without a database.
from . import forecast
from . import promise
