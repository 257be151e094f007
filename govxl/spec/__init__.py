"""Load and validate the declarative edition specs under ``templates/``.

Everything that knows where a label, an input or a total sits asks this package; nothing else in
govxl spells out a label, a cell address or a rule. Its modules, bottom up: :mod:`.model` (the
dataclasses), :mod:`.base` (where the specs live, key checks), :mod:`.sheets` (cover.toml,
aggregate.toml, annotate.toml), :mod:`.edition` (an edition's TOML, validated, loaded once per
process). The A1 address helpers live in :mod:`govxl.a1` and are re-exported here.
"""

from ..a1 import cell_name, col_index, col_letters, compress, parse_cell, parse_range, range_name
from .base import edition_ids, templates_dir
from .edition import load_edition, parse_edition, per_edition
from .model import *  # noqa: F403 (the model's __all__)
from .model import __all__ as _model
from .sheets import AggregateSheet, KeyTotal, load_aggregate_sheet, load_cover, load_outputs

__all__ = [
    *_model, "AggregateSheet", "KeyTotal", "cell_name", "col_index", "col_letters", "compress", "edition_ids",
    "load_aggregate_sheet", "load_cover", "load_edition", "load_outputs", "parse_cell", "parse_edition", "parse_range",
    "per_edition", "range_name", "templates_dir",
]
