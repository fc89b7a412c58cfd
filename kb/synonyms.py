"""The synonym groups a new knowledge base starts with, and synonym groups written as text."""

from pathlib import Path

from django.utils.translation import gettext as _

from kb.engine import analyze

# Words customers of any online service use for one another, one group per line. A new
# knowledge base starts with them as synonym groups its editors change or delete like their
# own. They were written for customer support in general, not picked from an evaluation set.
# "Log in, sign in" is not among them: "in" is a stopword, so the group would read "log" as
# "sign" and bring articles about log files to questions about signing in.
STARTER_GROUPS = (
    "log out, logout, sign out, signout",
    "sign up, signup, register, create an account",
    "delete, remove",
    "cancel, unsubscribe",
    "refund, money back",
    "invoice, receipt",
    "website, site, web site",
    "picture, photo, image",
    "change, edit, modify, update",
    "2fa, two-factor, two factor authentication",
    "undo, revert, restore",
    "phone, mobile, cell phone",
    "app, application",
)


def split_group(line: str) -> list[str]:
    """The words or phrases of one group written as "invoice, receipt, statement"."""
    return [term.strip() for term in line.split(",") if term.strip()]


def read_groups(path: str | Path) -> list[list[str]]:
    """Groups from a text file, one per line; blank lines and # comments are skipped."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [split_group(line) for line in lines if line.strip() and not line.startswith("#")]


def starter_groups() -> list[list[str]]:
    return [split_group(line) for line in STARTER_GROUPS]


def group_problems(terms: list[str]) -> list[str]:
    """What keeps a group from working as its editor means it, in words an editor reads."""
    problems = []
    analysed = [analyze(term) for term in terms]
    for term, words in zip(terms, analysed, strict=True):
        if not words:
            problems.append(
                _("“%(term)s” is made of words too common to search by.") % {"term": term}
            )
        elif " " in term.strip() and len(words) == 1:
            problems.append(
                _(
                    "“%(term)s” reads as “%(word)s” once common words are left out, so it "
                    "would match every article that says “%(word)s”: write it as one word or "
                    "leave it out."
                )
                % {"term": term, "word": words[0]}
            )
    if len({tuple(words) for words in analysed if words}) < 2:
        problems.append(_("A group needs at least two different words or phrases."))
    return problems
