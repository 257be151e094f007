"""The version of govxl (read by the build: pyproject.toml [tool.hatch.version]).

Its own module, so that a module inside govxl can name the version without importing the
package `govxl` itself (which imports the library's entry points).
"""

__version__ = "0.1.0"
