"""`python -m govxl.cli` behaves like `python -m govxl` and the `govxl` script."""

from govxl.cli import run

if __name__ == "__main__":
    run()
