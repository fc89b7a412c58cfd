"""Importing an existing knowledge base from JSON Lines, idempotent by the source's article id."""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from kb import markup
from kb.models import ArticlePage
from kb.services import category_get_or_create, kb_root_get, unique_child_slug
from kb.shared_index import rebuilds_deferred

DEFAULT_CATEGORY = "General"
LIMITS = {"id": 255, "title": 255, "summary": 300, "category": 255, "tag": 100, "body": 200_000}


class RecordError(ValueError):
    """A line of the import file that cannot become an article."""


@dataclass(frozen=True)
class ArticleRecord:
    source_id: str
    title: str
    summary: str
    blocks: list[dict]
    tags: tuple[str, ...]
    category: str | None


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "skipped": len(self.skipped),
            "errors": [{"line": line, "error": error} for line, error in self.skipped],
        }


def _text(obj: dict, key: str, *, required: bool, limit: int) -> str | None:
    value = obj.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RecordError(f"'{key}' is required")
        return None
    if isinstance(value, int) and not isinstance(value, bool) and key == "id":
        value = str(value)
    if not isinstance(value, str):
        raise RecordError(f"'{key}' must be a string, not {type(value).__name__}")
    value = value.strip()
    if len(value) > limit:
        raise RecordError(f"'{key}' is longer than {limit} characters")
    return value


def parse_record(obj) -> ArticleRecord:
    """Validate one decoded JSON object and convert its body to safe StreamField blocks."""
    if not isinstance(obj, dict):
        raise RecordError("each line must be a JSON object")
    source_id = _text(obj, "id", required=True, limit=LIMITS["id"])
    title = _text(obj, "title", required=True, limit=LIMITS["title"])
    body = _text(obj, "body", required=True, limit=LIMITS["body"])
    category = _text(obj, "category", required=False, limit=LIMITS["category"])
    tags = obj.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise RecordError("'tags' must be a list of strings")
    tags = tuple(dict.fromkeys(tag.strip()[: LIMITS["tag"]] for tag in tags if tag.strip()))
    blocks = markup.html_to_blocks(markup.to_safe_html(body))
    if not blocks:
        raise RecordError("'body' has no readable content")
    summary = _text(obj, "summary", required=False, limit=LIMITS["summary"])
    if summary is None:
        summary = markup.summarise(markup.blocks_to_text(blocks))
    return ArticleRecord(source_id, title, summary, blocks, tags, category)


def _upsert(record: ArticleRecord, *, default_category: str, publish: bool) -> bool:
    """Create or update the article for `record`; True when it was created."""
    root = kb_root_get()
    category = category_get_or_create(root=root, name=record.category or default_category)
    page = ArticlePage.objects.filter(source_id=record.source_id).first()
    created = page is None
    if created:
        page = ArticlePage(
            title=record.title,
            slug=unique_child_slug(category, record.title, fallback=record.source_id),
            source_id=record.source_id,
            live=False,
        )
        page.summary, page.body = record.summary, record.blocks
        page.tags.set(record.tags)
        category.add_child(instance=page)
    else:
        page = page.get_latest_revision_as_object()
        if page.get_parent().pk != category.pk:
            page.move(category, pos="last-child")
            page.refresh_from_db(fields=["path", "url_path"])
        page.title, page.summary, page.body = record.title, record.summary, record.blocks
        page.tags.set(record.tags)
    revision = page.save_revision(clean=True)
    if publish:
        revision.publish()
    return created


def import_lines(
    lines: Iterable[str], *, default_category: str | None = None, publish: bool = False
) -> ImportReport:
    """Import JSONL lines; a bad line is reported with its number and nothing of it is written."""
    report = ImportReport()
    with rebuilds_deferred():
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = parse_record(json.loads(line))
                with transaction.atomic():
                    created = _upsert(
                        record,
                        default_category=default_category or DEFAULT_CATEGORY,
                        publish=publish,
                    )
            except json.JSONDecodeError as error:
                report.skipped.append((number, f"invalid JSON: {error.msg} (column {error.colno})"))
            except RecordError as error:
                report.skipped.append((number, str(error)))
            except ValidationError as error:
                report.skipped.append((number, "; ".join(error.messages)))
            else:
                if created:
                    report.created += 1
                else:
                    report.updated += 1
    return report
