"""Text helpers the core and its rooms share: what customers typed, made safe to show others."""

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")

# Control characters other than tab and newline have no place in a support request.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SUBJECT_MAX, DESCRIPTION_MAX, REPLY_MAX = 200, 20000, 20000


def clean_text(value: str) -> str:
    """What a customer or agent typed, as stored: Windows line ends and control characters gone."""
    return CONTROL_CHARS.sub("", value.replace("\r\n", "\n")).strip()


def without_contact_details(text: str) -> str:
    """Example text for editors: e-mail addresses a customer typed are masked."""
    return EMAIL.sub("[e-mail]", text)
