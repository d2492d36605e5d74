"""Facebook Marketplace's category paths (from its bulk-upload template)."""

from functools import lru_cache
from pathlib import Path

CATEGORIES_FILE = Path(__file__).resolve().parent / "data" / "categories.txt"


@lru_cache(maxsize=1)
def all_categories() -> tuple[str, ...]:
    lines = CATEGORIES_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip())


@lru_cache(maxsize=1)
def _by_lower() -> dict[str, str]:
    return {category.lower(): category for category in all_categories()}


def canonical_category(value: str) -> str | None:
    """The category as Facebook spells it, if ``value`` names one in any case."""
    return _by_lower().get(value.strip().lower())


def is_known_category(value: str) -> bool:
    return canonical_category(value) is not None


def suggest_categories(query: str, *, limit: int = 10) -> list[str]:
    """Categories whose path contains every word of ``query``; leaf matches first."""
    words = query.lower().split()
    if not words:
        return []
    matches = [c for c in all_categories() if all(word in c.lower() for word in words)]
    matches.sort(key=lambda c: (not any(w in c.lower().rsplit("//", 1)[-1] for w in words), len(c)))
    return matches[:limit]
