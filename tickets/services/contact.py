"""Contact sessions: what a visitor typed and was shown, and how it ended (deflected or not)."""

import hashlib
import uuid
from collections.abc import Sequence
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from kb.models import ArticlePage
from kb.selectors import SuggestResult, live_articles, suggest_articles

from ..models import ContactSession, SuggestionShown

QUERY_MAX_LENGTH = 1000
LEARNED_DESCRIPTION_WORDS = 30
ABANDON_AFTER = timedelta(hours=24)


def browser_key_for(session_key: str | None) -> str:
    return hashlib.sha256((session_key or "").encode()).hexdigest() if session_key else ""


def filer_key_for(*, user=None, browser_key: str = "", email: str = "") -> str:
    """Who is filing, as an opaque hash: their account, else their browser, else their address.

    `browser_key` is already a hash of the browser's session (`ContactSession.browser_key`);
    the address is the last resort, for the widget's visitors, who have neither.
    """
    if user is not None and user.is_authenticated:
        who = f"user:{user.pk}"
    elif browser_key:
        who = f"browser:{browser_key}"
    elif email.strip():
        who = f"email:{email.strip().lower()}"
    else:
        return ""
    return hashlib.sha256(who.encode()).hexdigest()


def suggestion_query(subject: str, description: str) -> str:
    """What the engine is asked: the subject first, then as much description as fits."""
    text = f"{subject.strip()}\n{description.strip()}".strip()
    if len(text) <= QUERY_MAX_LENGTH:
        return text
    cut = text.rfind(" ", 0, QUERY_MAX_LENGTH)
    # Ending on a space tells the engine the last word is complete, not half-typed.
    return text[: cut if cut > 0 else QUERY_MAX_LENGTH] + " "


# --- contact sessions and deflections ---------------------------------------------------


def contact_session_get_or_start(
    *, session_id, user, browser_session_key: str | None, source_page: str = ""
) -> ContactSession:
    """The visitor's open contact session with this id, created on first use.

    An id belongs to the browser that started it: another browser presenting it gets a new one.
    """
    key = browser_key_for(browser_session_key)
    owner = {"user": user} if user and user.is_authenticated else {"browser_key": key}
    if session_id:
        # One read, ownership checked on the row found: a second look-up could see a row that a
        # concurrent first request of this same visitor committed in between, and mistake it.
        existing = ContactSession.objects.filter(pk=session_id).first()
        if existing is not None:
            if _started_by(existing, owner):
                return existing
            session_id = None  # someone else's id: never reuse it
    fields = {
        "user": user if user and user.is_authenticated else None,
        "browser_key": key,
        "source_page": source_page[:500],
    }
    if not session_id:
        return ContactSession.objects.create(**fields)
    try:
        with transaction.atomic():  # a savepoint: losing the race must not break the request
            return ContactSession.objects.create(pk=session_id, **fields)
    except IntegrityError:
        # A concurrent first request of the same visitor created it a moment ago: use theirs.
        existing = ContactSession.objects.filter(pk=session_id, **owner).first()
        return existing or ContactSession.objects.create(**fields)


def _started_by(session: ContactSession, owner: dict) -> bool:
    if "user" in owner:
        return session.user_id == owner["user"].pk
    return session.browser_key == owner["browser_key"]


def contact_session_suggest(
    *,
    session: ContactSession,
    subject: str,
    description: str,
    email: str = "",
    user=None,
    browser_session=None,
    limit: int = 5,
):
    """Suggest articles for what the visitor typed, remembering the text and what was shown."""
    result = suggest_articles(
        suggestion_query(subject, description),
        user=user,
        session=browser_session,
        limit=limit,
        passages=True,
    )
    with transaction.atomic():
        _commit_without_waiting_for_the_disk()
        _remember_typed(session.pk, {}, subject, description, email, result)
        _record_shown(session.pk, result.suggestions)
    return result


def contact_session_typing(
    *,
    session_id,
    user,
    browser_session_key: str | None,
    subject: str,
    description: str,
    email: str = "",
    source_page: str = "",
    browser_session=None,
    limit: int = 5,
) -> tuple[uuid.UUID, SuggestResult]:
    """One keystroke of the contact form: suggestions, with the text and what was shown kept.

    The visitor's own open session is updated where it stands, without reading it first; only
    a first keystroke, someone else's id or a closed session goes through
    `contact_session_get_or_start`. Returns the session's id (new if the id was not theirs).
    """
    result = suggest_articles(
        suggestion_query(subject, description),
        user=user,
        session=browser_session,
        limit=limit,
        passages=True,
    )
    key = browser_key_for(browser_session_key)
    owner = {"user": user} if user and user.is_authenticated else {"browser_key": key}
    if session_id and (key or "user" in owner):
        with transaction.atomic():
            _commit_without_waiting_for_the_disk()
            new = _not_shown_yet(session_id, result.suggestions)  # before the row lock is taken
            # From the update to the commit this session's row is locked: keep that short.
            if _remember_typed(session_id, owner, subject, description, email, result):
                _add_shown(session_id, result.suggestions, new)
                return session_id, result
    session = contact_session_get_or_start(
        session_id=session_id,
        user=user,
        browser_session_key=browser_session_key,
        source_page=source_page,
    )
    with transaction.atomic():
        _commit_without_waiting_for_the_disk()
        _remember_typed(session.pk, {}, subject, description, email, result)
        _record_shown(session.pk, result.suggestions)
    return session.pk, result


def _commit_without_waiting_for_the_disk() -> None:
    """This transaction's commit returns before PostgreSQL has flushed it to disk.

    A keystroke's text and shown articles are rewritten by the next keystroke, and waiting for
    the disk on every one (about 6 ms, queued behind every other writer) was most of a
    keystroke's time. A database crash can lose the last fraction of a second of them, never
    corrupt anything; any later ordinary commit, such as filing the ticket, flushes them too.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _remember_typed(session_id, owner: dict, subject, description, email, result) -> bool:
    """Keep the text typed and the best score so far on the session if it is still open."""
    fields = {"subject": subject[:200], "description": description[:20000]}
    if email:
        fields["email"] = email[:254]
    if result.top_score:
        fields.update(top_score=result.top_score, top_relative=result.top_relative)
    else:  # nothing matched now: keep the best match of earlier keystrokes, if there was one
        fields.update(
            top_score=Coalesce(F("top_score"), Value(result.top_score)),
            top_relative=Case(
                When(top_score__isnull=True, then=Value(result.top_relative)),
                default=F("top_relative"),
            ),
        )
    return bool(
        ContactSession.objects.filter(
            pk=session_id, outcome=ContactSession.Outcome.OPEN, **owner
        ).update(updated_at=timezone.now(), **fields)
    )


def _record_shown(session_id, suggestions: Sequence) -> None:
    _add_shown(session_id, suggestions, _not_shown_yet(session_id, suggestions))


def _not_shown_yet(session_id, suggestions: Sequence) -> set:
    """The suggested articles this session has not been shown before (most keystrokes: none)."""
    if not suggestions:
        return set()
    shown = SuggestionShown.objects.filter(session_id=session_id).order_by()
    return {s.key for s in suggestions} - set(shown.values_list("article_id", flat=True))


def _add_shown(session_id, suggestions: Sequence, new: set) -> None:
    """Record the new ones at the rank they have now, if they are still articles."""
    if not new:
        return
    known = set(ArticlePage.objects.filter(pk__in=new).values_list("pk", flat=True))
    SuggestionShown.objects.bulk_create(
        [
            SuggestionShown(
                session_id=session_id,
                article_id=s.key,
                title=s.title[:255],
                rank=rank,
                score=s.score,
            )
            for rank, s in enumerate(suggestions, start=1)
            if s.key in known
        ],
        ignore_conflicts=True,
    )


def contact_session_open_article(*, session: ContactSession, article: ArticlePage) -> None:
    """The visitor opened a suggested article from the contact flow."""
    now = timezone.now()
    updated = SuggestionShown.objects.filter(
        session=session, article=article, clicked_at__isnull=True
    ).update(clicked_at=now)
    if (
        not updated
        and not SuggestionShown.objects.filter(session=session, article=article).exists()
    ):
        SuggestionShown.objects.create(
            session=session,
            article=article,
            title=article.title[:255],
            rank=0,
            score=0,
            clicked_at=now,
        )
    ContactSession.objects.filter(pk=session.pk).update(updated_at=now)


@transaction.atomic
def deflection_record(*, session: ContactSession, article: ArticlePage) -> ContactSession:
    """The article answered the question: the contact ends here, with no ticket."""
    session = ContactSession.objects.select_for_update().get(pk=session.pk)
    if session.outcome == ContactSession.Outcome.DEFLECTED:
        return session
    if session.outcome == ContactSession.Outcome.TICKET:
        raise ValidationError(_("A ticket has already been filed for this request."))
    if session.outcome == ContactSession.Outcome.FOLLOW_UP:
        raise ValidationError(_("This request has already been added to your open ticket."))
    if not live_articles().filter(pk=article.pk).exists():
        raise ValidationError(_("That article is not available."))
    session.outcome = ContactSession.Outcome.DEFLECTED
    session.deflected_by = article
    session.ended_at = timezone.now()
    session.save(update_fields=["outcome", "deflected_by", "ended_at", "updated_at"])
    return session


def contact_sessions_abandon(*, now=None) -> int:
    """Sessions with no activity for 24 hours and no outcome become abandoned."""
    now = now or timezone.now()
    return ContactSession.objects.filter(
        outcome=ContactSession.Outcome.OPEN, updated_at__lt=now - ABANDON_AFTER
    ).update(outcome=ContactSession.Outcome.ABANDONED, ended_at=now)


# --- tickets -------------------------------------------------------------------------------
