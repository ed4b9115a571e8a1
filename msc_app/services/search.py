"""Case-insensitive substring search with LIKE, metacharacters taken literally."""

from __future__ import annotations

ESCAPE = "\\"


def contains_pattern(text: str) -> str:
    """A LIKE pattern (use with ``escape=ESCAPE``) matching ``text`` anywhere, lower-cased."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
