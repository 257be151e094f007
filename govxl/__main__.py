"""`python -m govxl` runs the command line, exactly like the `govxl` script."""

from govxl.cli import run

run()
