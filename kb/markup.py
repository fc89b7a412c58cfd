"""Article bodies as safe HTML, StreamField blocks and plain text (no Django models needed)."""

import html
import re
import uuid

import markdown
import nh3
from bs4 import BeautifulSoup, NavigableString, Tag

from kb.engine import BLOCK_TAGS

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "a",
    "ul",
    "ol",
    "li",
    "code",
    "pre",
    "blockquote",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
# "*": on every tag. The sanitiser allows lang and title everywhere unless told otherwise, so the
# list says so rather than leave the allow-list wider than it reads.
ALLOWED_ATTRIBUTES = {
    "*": {"lang", "title"},
    "a": {"href", "title"},
    "code": {"class"},
    "pre": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}
CODE_LANGUAGES = {"text", "bash", "json", "python", "javascript", "html", "sql"}
CALLOUT_PREFIX = re.compile(r"^\s*(note|tip|warning|important|caution)\s*:\s*", re.IGNORECASE)
LOOKS_LIKE_HTML = re.compile(
    r"<(p|div|br|ul|ol|li|h[1-6]|table|pre|a|span|strong|em)\b[^>]*>", re.I
)
SUMMARY_LENGTH = 200


def to_safe_html(body: str) -> str:
    """Plain text, Markdown or HTML in; sanitised HTML out (scripts, styles, images removed)."""
    if LOOKS_LIKE_HTML.search(body):
        source = body
    else:
        # Escape "<" first so that text such as "<unixODBC>" survives as text instead of being
        # taken for a tag and dropped by the sanitiser; Markdown then double-escapes it in code.
        source = markdown.markdown(
            body.replace("<", "&lt;"),
            extensions=["fenced_code", "sane_lists", "nl2br", "tables"],
            output_format="html",
        ).replace("&amp;lt;", "&lt;")
    for level in ("h1", "H1"):
        source = source.replace(f"<{level}", "<h2").replace(f"</{level}>", "</h2>")
    return sanitise_html(source)


# What Wagtail itself writes into stored rich text: an internal link names its page or document
# (<a linktype="page" id="3">, made a plain link when shown) and each block carries a key that
# editors' comments point at. Bodies re-sanitised where they are stored keep them.
WAGTAIL_SOURCE_ATTRIBUTES = {
    **ALLOWED_ATTRIBUTES,
    "*": ALLOWED_ATTRIBUTES["*"] | {"data-block-key"},
    "a": ALLOWED_ATTRIBUTES["a"] | {"linktype", "id"},
}


def sanitise_html(fragment: str, *, keep_wagtail_references: bool = False) -> str:
    """HTML reduced to the allow-list; the last step before rich text is stored or shown."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=WAGTAIL_SOURCE_ATTRIBUTES if keep_wagtail_references else ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        clean_content_tags={"script", "style"},
        # Stored sources are left without rel: only what is shown needs it.
        link_rel=None if keep_wagtail_references else "noopener noreferrer",
    )


def _inner_html(tag: Tag) -> str:
    # decode_contents() re-escapes text nodes; str() of a text node would turn an escaped
    # "&lt;img onerror=…&gt;" back into a live tag.
    return tag.decode_contents().strip()


def _block(block_type: str, value) -> dict:
    return {"type": block_type, "value": value, "id": str(uuid.uuid4())}


def _code_block(pre: Tag) -> dict:
    code = pre.find("code") or pre
    classes = " ".join(code.get("class") or [])
    match = re.search(r"language-(\w+)", classes)
    language = match.group(1).lower() if match else "text"
    language = {"sh": "bash", "shell": "bash", "js": "javascript", "py": "python"}.get(
        language, language
    )
    return _block(
        "code",
        {
            "language": language if language in CODE_LANGUAGES else "text",
            "code": code.get_text().rstrip("\n"),
        },
    )


def _steps_block(ol: Tag) -> dict:
    items = [
        {"type": "item", "value": _wrap_paragraph(_inner_html(li)), "id": str(uuid.uuid4())}
        for li in ol.find_all("li", recursive=False)
    ]
    return _block("steps", {"title": "", "steps": items})


def _callout_block(quote: Tag) -> dict:
    inner = _inner_html(quote)
    text = BeautifulSoup(inner, "html.parser").get_text()
    match = CALLOUT_PREFIX.match(text)
    kind = "note"
    if match:
        word = match.group(1).lower()
        kind = {"warning": "warning", "caution": "warning", "important": "warning"}.get(
            word, "tip" if word == "tip" else "note"
        )
        # Drop the "Warning:" label (possibly inside <strong>) since the block shows its kind.
        inner = re.sub(
            r"^(<p>)?\s*(<(strong|b)>)?\s*"
            + re.escape(match.group(1))
            + r"\s*:?\s*(</(strong|b)>)?\s*:?\s*",
            r"\1",
            inner,
            count=1,
            flags=re.IGNORECASE,
        )
    return _block("callout", {"kind": kind, "text": _wrap_paragraph(inner)})


BLOCK_START = re.compile(r"^<(p|ul|ol|h[2-4]|table|pre|blockquote)\b", re.IGNORECASE)


def _wrap_paragraph(fragment: str) -> str:
    return fragment if BLOCK_START.match(fragment) else f"<p>{fragment}</p>"


def html_to_blocks(fragment: str) -> list[dict]:
    """Split HTML into StreamField blocks (code, ordered steps, callouts, rich text), built from
    the sanitised tree and with every block value sanitised again as the last step."""
    blocks: list[dict] = []
    pending: list[str] = []

    def flush():
        text = "".join(pending).strip()
        if text:
            blocks.append(_block("text", text))
        pending.clear()

    for node in BeautifulSoup(sanitise_html(fragment), "html.parser").contents:
        if isinstance(node, NavigableString):
            if node.strip():
                pending.append(f"<p>{html.escape(str(node).strip())}</p>")
            continue
        if node.name == "pre":
            flush()
            blocks.append(_code_block(node))
        elif node.name == "ol" and node.find_all("li", recursive=False):
            flush()
            blocks.append(_steps_block(node))
        elif node.name == "blockquote":
            flush()
            blocks.append(_callout_block(node))
        else:
            pending.append(str(node))
    flush()
    return sanitise_blocks(blocks)


def _sanitise_value(kind: str, value, clean):
    if kind == "text":
        return clean(value or "")
    if kind == "steps":
        steps = value.get("steps") or []
        return {
            **value,
            "steps": [
                {**step, "value": clean(step.get("value") or "")}
                if isinstance(step, dict)
                else clean(step or "")
                for step in steps
            ],
        }
    if kind == "callout":
        return {**value, "text": clean(value.get("text") or "")}
    # Code, titles, captions and choices are plain text: templates escape them when shown.
    return value


def sanitise_blocks(raw_blocks: list[dict], *, keep_wagtail_references: bool = False) -> list[dict]:
    """Raw StreamField data with the rich text of every block reduced to the allow-list."""

    def clean(fragment: str) -> str:
        return sanitise_html(fragment, keep_wagtail_references=keep_wagtail_references)

    return [
        {**block, "value": _sanitise_value(block.get("type"), block.get("value"), clean)}
        for block in raw_blocks
    ]


def html_to_text(fragment: str) -> str:
    """Text of an HTML fragment, with a line break after each block (not between inline tags)."""
    soup = BeautifulSoup(fragment, "html.parser")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(BLOCK_TAGS):
        block.append("\n")
    for cell in soup.find_all(["td", "th"]):
        cell.append(" ")
    text = re.sub(r"[ \t]+", " ", soup.get_text())
    return re.sub(r"\n\s*\n+", "\n", text).strip()


def _stream_items(raw_list) -> list:
    # ListBlock values are stored either as plain values or as {"type": "item", "value": ...}.
    return [
        item["value"] if isinstance(item, dict) and "value" in item else item for item in raw_list
    ]


def blocks_to_text(raw_blocks: list[dict]) -> str:
    """Plain text of a body's raw StreamField data, in reading order."""
    parts: list[str] = []
    for block in raw_blocks:
        kind, value = block.get("type"), block.get("value")
        if kind == "text":
            parts.append(html_to_text(value or ""))
        elif kind == "steps":
            parts.append(value.get("title") or "")
            parts.extend(html_to_text(step or "") for step in _stream_items(value.get("steps", [])))
        elif kind == "callout":
            parts.append(html_to_text(value.get("text") or ""))
        elif kind == "code":
            parts.append(value.get("code") or "")
        elif kind == "image":
            parts.extend([value.get("alt_text") or "", value.get("caption") or ""])
    return "\n".join(part for part in parts if part)


def readable_text(body: str) -> str:
    """The plain text an article body shows once imported (whatever its format)."""
    return blocks_to_text(html_to_blocks(to_safe_html(body)))


def summarise(text: str, length: int = SUMMARY_LENGTH) -> str:
    """The opening sentence(s) of `text`, cut at a word boundary."""
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat
    sentence_end = max(flat.rfind(". ", 0, length), flat.rfind("? ", 0, length))
    if sentence_end >= length // 2:
        return flat[: sentence_end + 1]
    cut = flat.rfind(" ", 0, length - 1)
    return flat[: cut if cut > 0 else length - 1].rstrip(",;:") + "…"


EMBED_TAGS = ALLOWED_TAGS | {"div", "aside", "figure", "figcaption", "h2", "h3", "h4", "span"}


def embeddable_html(rendered: str, *, base_url: str) -> str:
    """Rendered article HTML for another site's page: sanitised again, relative links made
    absolute (they point at the portal) and opened in a new tab, images left out."""
    cleaned = nh3.clean(
        rendered,
        tags=EMBED_TAGS,
        attributes={**ALLOWED_ATTRIBUTES, "aside": {"class"}, "div": {"class"}},
        url_schemes={"http", "https", "mailto"},
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer",
    )
    soup = BeautifulSoup(cleaned, "html.parser")
    for link in soup.find_all("a", href=True):
        if link["href"].startswith("/"):
            link["href"] = base_url.rstrip("/") + link["href"]
        link["target"] = "_blank"
    return str(soup)
