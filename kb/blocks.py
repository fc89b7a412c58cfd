"""StreamField blocks an article body is made of."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "link", "ol", "ul", "code", "hr"]
INLINE_FEATURES = ["bold", "italic", "link", "code"]


class StepsBlock(blocks.StructBlock):
    title = blocks.CharBlock(required=False, max_length=200, label=_("Title"))
    steps = blocks.ListBlock(
        blocks.RichTextBlock(features=INLINE_FEATURES + ["ul"]), label=_("Steps"), min_num=1
    )

    class Meta:
        icon = "list-ol"
        label = _("Ordered steps")
        template = "kb/blocks/steps.html"


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        choices=[("note", _("Note")), ("tip", _("Tip")), ("warning", _("Warning"))],
        default="note",
        label=_("Kind"),
    )
    text = blocks.RichTextBlock(features=INLINE_FEATURES, label=_("Text"))

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "kb/blocks/callout.html"


class CodeBlock(blocks.StructBlock):
    language = blocks.ChoiceBlock(
        choices=[
            ("text", _("Plain text")),
            ("bash", "Shell"),
            ("json", "JSON"),
            ("python", "Python"),
            ("javascript", "JavaScript"),
            ("html", "HTML"),
            ("sql", "SQL"),
        ],
        default="text",
        label=_("Language"),
    )
    code = blocks.TextBlock(label=_("Code"))

    class Meta:
        icon = "code"
        label = _("Code")
        template = "kb/blocks/code.html"


class FigureBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        max_length=250, label=_("Alternative text"), help_text=_("Describe the image.")
    )
    caption = blocks.CharBlock(required=False, max_length=250, label=_("Caption"))

    class Meta:
        icon = "image"
        label = _("Image")
        template = "kb/blocks/figure.html"


class ArticleBodyBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES, label=_("Rich text"), template="kb/blocks/text.html"
    )
    steps = StepsBlock()
    callout = CalloutBlock()
    code = CodeBlock()
    image = FigureBlock()
