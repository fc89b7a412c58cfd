"""The demo knowledge base shipped with the project (kb/demo/), loaded into an empty site."""

import json
from pathlib import Path

from .importing import ImportReport, import_lines
from .index import rebuilds_deferred
from .models import ArticlePage
from .services import category_get_or_create, kb_root_get

DEMO_DIR = Path(__file__).resolve().parent / "demo"


def demo_content_load(*, directory: Path = DEMO_DIR) -> ImportReport | None:
    """Load the demo categories and articles unless the knowledge base already has articles."""
    if ArticlePage.objects.exists():
        return None
    root = kb_root_get()
    categories = json.loads((directory / "categories.json").read_text(encoding="utf-8"))
    with rebuilds_deferred():
        for category in categories:
            category_get_or_create(
                root=root, name=category["name"], description=category["description"]
            )
        with (directory / "articles.jsonl").open(encoding="utf-8") as lines:
            return import_lines(lines, publish=True)
