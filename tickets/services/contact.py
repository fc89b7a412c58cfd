"""Contact sessions: what a visitor typed and was shown, and how it ended (deflected or not)."""

import hashlib
import time
import uuid
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from kb.models import ArticlePage
from kb.selectors import SuggestResult, live_articles, suggest_articles
from tickets.models import ContactSession, SuggestionShown

QUERY_MAX_LENGTH = 1000
LEARNED_DESCRIPTION_WORDS = 30
ABANDON_AFTER = timedelta(hours=24)
# How long the cache remembers what a contact session's draft holds in the database: longer
# than a customer pauses while typing; after it the next keystroke reads what was shown again.
DRAFT_STATE_SECONDS = 60 * 60


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
    result = _suggest(subject, description, user=user, browser_session=browser_session, limit=limit)
    _remember_all(session.pk, subject, description, email, result)
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

    The text is written at most once per `CONTACT_DRAFT_SAVE_SECONDS`; an article not shown
    before or a better match is written at once. What the database already holds is known from
    the cache (`_draft_state`), so a keystroke with nothing to write reads and writes nothing;
    without it, what was shown is read. The visitor's own open session is updated where it
    stands; only a first keystroke, someone else's id or a closed session goes through
    `contact_session_get_or_start`. Returns the session's id (new if the id was not theirs).
    """
    result = _suggest(subject, description, user=user, browser_session=browser_session, limit=limit)
    key = browser_key_for(browser_session_key)
    owner = {"user": user} if user and user.is_authenticated else {"browser_key": key}
    if session_id and (key or "user" in owner):
        state_key = _draft_state_key(session_id, owner)
        state = cache.get(state_key)
        if state is not None and not _draft_needs_writing(state, result):
            return session_id, result
        with transaction.atomic():
            _commit_without_waiting_for_the_disk()
            # Before the row lock is taken: the articles this session was shown already.
            shown = set(state["shown"]) if state else _shown_already(session_id)
            new = {s.key for s in result.suggestions} - shown
            # From the update to the commit this session's row is locked: keep that short.
            written = _remember_typed(session_id, owner, subject, description, email, result)
            if written:
                _add_shown(session_id, result.suggestions, new)
        if written:  # committed: only now may the cache say the database holds it
            cache.set(state_key, _draft_state(state, shown | new, result), DRAFT_STATE_SECONDS)
            return session_id, result
        cache.delete(state_key)
    session = contact_session_get_or_start(
        session_id=session_id,
        user=user,
        browser_session_key=browser_session_key,
        source_page=source_page,
    )
    _remember_all(session.pk, subject, description, email, result)
    return session.pk, result


def _suggest(subject, description, *, user, browser_session, limit) -> SuggestResult:
    """What the contact form shows for the text so far: articles with their answering passage."""
    return suggest_articles(
        suggestion_query(subject, description),
        user=user,
        session=browser_session,
        limit=limit,
        passages=True,
    )


def _remember_all(session_pk, subject, description, email, result) -> None:
    """Write the text, the best match and every article shown, whatever the row held."""
    with transaction.atomic():
        _commit_without_waiting_for_the_disk()
        _remember_typed(session_pk, {}, subject, description, email, result)
        _record_shown(session_pk, result.suggestions)


def _draft_state_key(session_id, owner: dict) -> str:
    # The owner is part of the key: only a write that found the row theirs and open sets it.
    who = f"user:{owner['user'].pk}" if "user" in owner else owner["browser_key"]
    return f"contact-draft:{session_id}:{who}"


def _draft_state(state: dict | None, shown: set, result) -> dict:
    """What the session's row holds now: when its text was written, what was shown, best match.

    Two keystrokes of one visitor racing can only make the next one write again: `shown` never
    claims an article that was not committed, and the row keeps the better score by itself.
    """
    best = max((state or {}).get("best") or 0, result.top_relative or 0)
    return {"saved_at": time.time(), "shown": sorted(shown), "best": best}


def _draft_needs_writing(state: dict, result) -> bool:
    """Whether this keystroke has something for the database: see CONTACT_DRAFT_SAVE_SECONDS."""
    if time.time() - state["saved_at"] >= settings.CONTACT_DRAFT_SAVE_SECONDS:
        return True
    if any(s.key not in state["shown"] for s in result.suggestions):
        return True  # shown articles are carried onto the ticket: never wait to record them
    return (result.top_relative or 0) > state["best"]


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
    # The best match of all keystrokes by relative score, the one gap mining judges (a weaker
    # one never lowers it), with its score; both right-hand sides see the row as it was.
    better = Q(top_relative__isnull=True) | Q(top_relative__lt=result.top_relative or 0)
    for name, value in (("top_score", result.top_score), ("top_relative", result.top_relative)):
        fields[name] = Case(
            When(better, then=Value(value or 0)),
            default=F(name),
            output_field=ContactSession._meta.get_field(name),
        )
    return bool(
        ContactSession.objects.filter(
            pk=session_id, outcome=ContactSession.Outcome.OPEN, **owner
        ).update(updated_at=timezone.now(), **fields)
    )


def _record_shown(session_id, suggestions: Sequence) -> None:
    new = {s.key for s in suggestions} - (_shown_already(session_id) if suggestions else set())
    _add_shown(session_id, suggestions, new)


def _shown_already(session_id) -> set:
    """The articles this session has been shown before."""
    shown = SuggestionShown.objects.filter(session_id=session_id).order_by()
    return set(shown.values_list("article_id", flat=True))


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
