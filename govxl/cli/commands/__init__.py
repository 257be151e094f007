"""The commands of `govxl`, one module each; importing this package registers them on the app.

The import order is the order of `govxl --help`. No module imports a command module.
"""

from . import new, check, export, render, aggregate, import_, desk  # noqa: F401,I001
