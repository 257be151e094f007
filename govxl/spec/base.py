"""Where the specs live, and the key checks every spec loader shares."""

from __future__ import annotations

from pathlib import Path

from ..errors import SpecError


def templates_dir() -> Path:
    """Inside a wheel the specs sit in ``govxl/templates``; in a checkout, beside the package."""
    here = Path(__file__).resolve().parent.parent  # the govxl package
    for cand in (here / "templates", here.parent / "templates"):
        if (cand / "cover.toml").is_file():
            return cand
    raise SpecError(code="U-NOTEMPLATES")


def edition_ids() -> list[str]:
    """Known editions, newest first."""
    ids = [p.stem for p in templates_dir().glob("[0-9]*.toml")]
    return sorted(ids, reverse=True)


class Keys:
    """Validation of a TOML document's tables: unknown and missing keys, errors naming the place."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, msg: str) -> SpecError:
        return SpecError(f"{self.source}: {where}: {msg}")

    def keys(self, obj: dict, allowed: set[str], where: str, required: set[str] = frozenset()) -> None:
        if not isinstance(obj, dict):
            raise self.fail(where, "应为一个表（键值对）")
        unknown = sorted(set(obj) - allowed)
        if unknown:
            raise self.fail(where, f"未知的键 {', '.join(unknown)}")
        missing = sorted(required - set(obj))
        if missing:
            raise self.fail(where, f"缺少键 {', '.join(missing)}")
