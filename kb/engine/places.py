"""Where in the customer's product an article applies: URL path patterns and context keys.

A host application embeds the help widget on its pages and tells us the page's path (and, if
it likes, a context key such as "billing/payment-method"). An article applies to a place when
one of its patterns matches the path ("/billing/*", "/settings/team") or one of its context
keys equals the page's context or is a parent of it ("billing" applies to
"billing/payment-method").
"""

from dataclasses import dataclass
from fnmatch import fnmatchcase

MAX_PLACES = 50  # per article: more would be a misuse, and each costs a comparison per query


@dataclass(frozen=True, slots=True)
class Place:
    path: str = ""
    context: str = ""


def normalise_pattern(pattern: str) -> str:
    pattern = pattern.strip()
    if not pattern:
        return ""
    if pattern.startswith(("/", "*")):
        return pattern.split("?")[0].rstrip("/") or "/"
    return "ctx:" + pattern.strip("/").lower()


def parse_places(text: str) -> tuple[str, ...]:
    """Editor's text (one per line or comma-separated) to normalised places, deduplicated."""
    items = [normalise_pattern(part) for line in text.splitlines() for part in line.split(",")]
    return tuple(dict.fromkeys(item for item in items if item))[:MAX_PLACES]


def applies(places: tuple[str, ...], place: Place) -> int:
    """How specifically the article applies to the place: 2 context, 1 path, 0 not at all."""
    path = (place.path.split("?")[0].rstrip("/") or "/") if place.path else ""
    context = place.context.strip("/").lower()
    best = 0
    for item in places:
        if item.startswith("ctx:"):
            key = item[4:]
            if context and (context == key or context.startswith(key + "/")):
                return 2
        elif path and fnmatchcase(path, item):
            best = 1
    return best
