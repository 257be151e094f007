"""`python -m govxl` runs the command line, exactly like the `govxl` script."""

from govxl.cli import run

# The guard matters: a process pool that spawns workers (Windows, macOS) imports this module.
if __name__ == "__main__":
    run()
