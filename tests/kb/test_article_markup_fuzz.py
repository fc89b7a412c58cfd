"""Property: no imported body (HTML or Markdown) and no stored body renders a tag or attribute
outside the allow-list.

The examples are the same on every run (derandomised) so that a red build means the change broke
something; `make fuzz` draws new ones, and many more (MARKUP_EXAMPLES, MARKUP_EXPLORE=1)."""

import os
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.template import Context, Template
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb import markup
from kb.blocks import ArticleBodyBlock
from kb.importing import RecordError, parse_record

EXAMPLES = int(os.environ.get("MARKUP_EXAMPLES", "150"))
EXPLORE = os.environ.get("MARKUP_EXPLORE") == "1"
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=not EXPLORE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What the block templates add around the content (kb/templates/kb/blocks/*.html).
TEMPLATE_ATTRIBUTES = {
    "div": {"class"},
    "aside": {"class", "role"},
    "p": {"class"},
    "pre": {"class", "tabindex"},
    "h3": set(),
}
# The allow-list, per tag, with the attributes allowed on every tag ("*") spelled out.
STORED_ATTRIBUTES = {
    tag: markup.ALLOWED_ATTRIBUTES.get(tag, set()) | markup.ALLOWED_ATTRIBUTES["*"]
    for tag in markup.ALLOWED_TAGS
}
STORED_ATTRIBUTES["a"] = STORED_ATTRIBUTES["a"] | {"rel"}  # set by the sanitiser: noopener
RENDERED_ATTRIBUTES = {tag: set(names) for tag, names in STORED_ATTRIBUTES.items()}
for _tag, _names in TEMPLATE_ATTRIBUTES.items():
    RENDERED_ATTRIBUTES.setdefault(_tag, set()).update(_names)

HOSTILE = [
    "<script>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<img src=x onerror=alert(1)>",
    "&lt;img src=x onerror=alert(1)&gt;",
    "&amp;lt;img src=x onerror=alert(1)&amp;gt;",
    "&#60;img src=x onerror=alert(1)&#62;",
    "&#x3C;svg onload=alert(1)&#x3E;",
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '&lt;meta http-equiv="refresh" content="0;url=https://evil.example/"&gt;',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="https://ok.example/" onclick="alert(1)" style="x">ok</a>',
    "<svg onload=alert(1)>",
    '<iframe src="https://evil.example/"></iframe>',
    "<style>body{display:none}</style>",
    "<!-- <img src=x onerror=alert(1)> -->",
    "<![CDATA[<img src=x onerror=alert(1)>]]>",
    '<p style="color:red" onmouseover="alert(1)">p</p>',
    '<form action="https://evil.example/"><input name="x"></form>',
    '<base href="https://evil.example/">',
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "`<img src=x onerror=alert(1)>`",
    "<details open ontoggle=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<td background="javascript:alert(1)">',
    '<code class="language-x" onclick="alert(1)">c</code>',
    '<h1 onclick="alert(1)">h</h1>',
]
KINDS = ["Note", "Tip", "Warning", "Important", "Caution", "Hint"]
LANGUAGES = ["", "bash", "sh", "js", "python", "html", 'x" onclick="alert(1)', "ruby"]

words = st.text(alphabet="ab <>&\"'=/;:#x1", max_size=16)
inline = st.lists(st.one_of(st.sampled_from(HOSTILE), words), min_size=1, max_size=4).map(" ".join)
single_line = inline.map(lambda text: text.replace("\n", " "))


@st.composite
def html_bodies(draw) -> str:
    pieces = {
        "p": lambda t: f"<p>{t}</p>",
        "ol": lambda t: f"<ol><li>{t}</li><li>{draw(inline)}</li></ol>",
        "ul": lambda t: f"<ul><li>{t}</li></ul>",
        "callout": lambda t: f"<blockquote>{draw(st.sampled_from(KINDS))}: {t}</blockquote>",
        "strong_callout": lambda t: (
            f"<blockquote><p><strong>{draw(st.sampled_from(KINDS))}:</strong> {t}</p></blockquote>"
        ),
        "code": lambda t: (
            f'<pre><code class="language-{draw(st.sampled_from(LANGUAGES))}">{t}</code></pre>'
        ),
        "heading": lambda t: f"<h1>{t}</h1>",
        "table": lambda t: f"<table><tr><th>{t}</th></tr><tr><td>{t}</td></tr></table>",
        "bare": lambda t: t,
        "div": lambda t: f"<div><span>{t}</span></div>",
    }
    names = draw(st.lists(st.sampled_from(sorted(pieces)), min_size=1, max_size=5))
    return "".join(pieces[name](draw(inline)) for name in names)


@st.composite
def markdown_bodies(draw) -> str:
    pieces = {
        "paragraph": lambda t: t,
        "steps": lambda t: f"1. {t}\n2. {draw(single_line)}",
        "bullets": lambda t: f"- {t}\n- {draw(single_line)}",
        "callout": lambda t: f"> **{draw(st.sampled_from(KINDS))}:** {t}",
        "fenced": lambda t: f"```{draw(st.sampled_from(LANGUAGES))}\n{t}\n```",
        "indented": lambda t: f"    {t}",
        "heading": lambda t: f"# {t}",
        "table": lambda t: f"| {t} | b |\n|---|---|\n| c | {t} |",
        "inline_code": lambda t: f"Use `{t}` here",
    }
    names = draw(st.lists(st.sampled_from(sorted(pieces)), min_size=1, max_size=5))
    return "\n\n".join(pieces[name](draw(single_line)) for name in names)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))

    def handle_comment(self, data):
        self.found.append(("!--", []))


def _outside_allow_list(rendered: str, allowed: dict[str, set[str]]) -> list[str]:
    parser = _Tags()
    parser.feed(rendered)
    parser.close()
    problems = []
    for tag, attrs in parser.found:
        if tag not in allowed:
            problems.append(f"<{tag}>")
            continue
        for name, value in attrs:
            if name not in allowed[tag]:
                problems.append(f"<{tag} {name}>")
            elif name == "href" and urlsplit(value or "").scheme not in {"", *markup.URL_SCHEMES}:
                problems.append(f"<{tag} href={value}>")
    return problems


BODY_TEMPLATE = Template(
    "{% load wagtailcore_tags %}{% for block in body %}{% include_block block %}{% endfor %}"
)


def _render_body(raw_blocks: list[dict]) -> str:
    """The article body as the public article page renders it (templates/kb/article_page.html)."""
    body = ArticleBodyBlock().to_python(raw_blocks)
    return BODY_TEMPLATE.render(Context({"body": body}))


def _stored_rich_text(raw_blocks: list[dict]) -> list[str]:
    fragments = []
    for block in raw_blocks:
        value = block["value"]
        if block["type"] == "text":
            fragments.append(value)
        elif block["type"] == "steps":
            fragments.extend(step["value"] for step in value["steps"])
        elif block["type"] == "callout":
            fragments.append(value["text"])
    return fragments


def _assert_only_allowed_markup(body: str) -> None:
    try:
        record = parse_record({"id": "fuzz", "title": "Fuzz", "body": body})
    except RecordError:
        return  # nothing readable: nothing imported, nothing rendered
    for fragment in _stored_rich_text(record.blocks):
        assert _outside_allow_list(fragment, STORED_ATTRIBUTES) == [], fragment
    rendered = _render_body(record.blocks)
    assert _outside_allow_list(rendered, RENDERED_ATTRIBUTES) == [], rendered


@pytest.mark.django_db
@FUZZ
@given(body=html_bodies())
def test_no_imported_html_body_renders_markup_outside_the_allow_list(body):
    _assert_only_allowed_markup(body)


@pytest.mark.django_db
@FUZZ
@given(body=markdown_bodies())
def test_no_imported_markdown_body_renders_markup_outside_the_allow_list(body):
    _assert_only_allowed_markup(body)


@st.composite
def stored_bodies(draw) -> list[dict]:
    """Raw StreamField data as anything might have stored it, sanitised or not."""
    hostile_html = st.lists(st.one_of(st.sampled_from(HOSTILE), words), min_size=1, max_size=4)
    html = hostile_html.map("".join)
    choices = [
        st.builds(lambda value: {"type": "text", "value": value}, html),
        st.builds(
            lambda title, steps: {"type": "steps", "value": {"title": title, "steps": steps}},
            html,
            st.lists(html, min_size=1, max_size=3),
        ),
        st.builds(
            lambda kind, text: {"type": "callout", "value": {"kind": kind, "text": text}},
            st.sampled_from(["note", "tip", "warning"]),
            html,
        ),
        st.builds(lambda code: {"type": "code", "value": {"language": "html", "code": code}}, html),
    ]
    return draw(st.lists(st.one_of(choices), min_size=1, max_size=4))


@pytest.mark.django_db
@FUZZ
@given(raw_blocks=stored_bodies())
def test_no_stored_body_renders_markup_outside_the_allow_list(raw_blocks):
    rendered = _render_body(raw_blocks)
    assert _outside_allow_list(rendered, RENDERED_ATTRIBUTES) == [], rendered
