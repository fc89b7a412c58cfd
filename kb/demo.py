"""The demo knowledge base shipped with the project (kb/demo/), loaded into an empty site."""

import json
from pathlib import Path

from kb.importing import ImportReport, import_lines
from kb.models import ArticlePage
from kb.services import category_get_or_create, kb_root_get
from kb.shared_index import rebuilds_deferred

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


# Where the demo articles apply in the demo product (see /widget-demo/).
DEMO_PLACES = {"Billing & plans": "billing, /billing/*", "Integrations": "/integrations/*"}


def demo_places_set() -> None:
    """Tell the demo's billing and integration articles where in the product they apply."""
    with rebuilds_deferred():
        for category, places in DEMO_PLACES.items():
            for article in ArticlePage.objects.live().filter(
                path__startswith=_category_path(category)
            ):
                draft = article.get_latest_revision_as_object()
                draft.help_places = places
                draft.save_revision().publish()


def _category_path(title: str) -> str:
    from kb.models import CategoryPage

    category = CategoryPage.objects.filter(title=title).first()
    return category.path if category else "-"
