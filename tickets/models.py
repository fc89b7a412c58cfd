"""Support requests: contact sessions (with their deflections), tickets, messages and history."""

import secrets
import uuid
from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.placeholders import check_placeholders

REFERENCE_PREFIX = "SUP-"


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


REFERENCE_OFFSET = 1000  # so the first ticket reads SUP-1001, not SUP-1


class ContactSession(models.Model):
    """One visit to "Contact support": what was typed, what was shown, and how it ended."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("In progress")
        DEFLECTED = "deflected", _("Deflected")
        TICKET = "ticket", _("Ticket filed")
        FOLLOW_UP = "follow_up", _("Added to an open ticket")
        ABANDONED = "abandoned", _("Abandoned")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_sessions",
        verbose_name=_("customer"),
    )
    # Hash of the visitor's browser session, so a session id cannot be used from elsewhere.
    browser_key = models.CharField(max_length=64, blank=True, editable=False)
    subject = models.CharField(_("subject typed"), max_length=200, blank=True)
    description = models.TextField(_("description typed"), max_length=20000, blank=True)
    email = models.EmailField(_("e-mail typed"), blank=True)
    category = models.ForeignKey(
        "kb.CategoryPage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_page = models.CharField(_("came from"), max_length=500, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.OPEN
    )
    deflected_by = models.ForeignKey(
        "kb.ArticlePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deflections",
        verbose_name=_("answered by article"),
    )
    top_score = models.FloatField(_("best suggestion score"), null=True, blank=True)
    gap_request = models.ForeignKey(
        "tickets.ArticleRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_sessions",
    )
    top_relative = models.FloatField(_("best relative score"), null=True, blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("last activity"), auto_now=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact session")
        indexes = [models.Index(fields=["outcome", "updated_at"])]

    def __str__(self):
        return f"{self.subject or _('(nothing typed)')} [{self.get_outcome_display()}]"

    @property
    def is_open(self) -> bool:
        return self.outcome == self.Outcome.OPEN

    def typed_text(self) -> str:
        return f"{self.subject}\n{self.description}".strip()


class SuggestionShown(models.Model):
    """An article shown to a contact session, at its best rank, and whether it was opened."""

    session = models.ForeignKey(
        ContactSession, on_delete=models.CASCADE, related_name="suggestions_shown"
    )
    article = models.ForeignKey(
        "kb.ArticlePage", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=255)
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    shown_at = models.DateTimeField(auto_now_add=True)
    clicked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("suggestion shown")
        ordering = ["rank", "shown_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "article"], name="tickets_shown_once")
        ]


class Organization(models.Model):
    """A customer's company: its tier sets expectations for the accounts assigned to it."""

    class Tier(models.TextChoices):
        FREE = "free", _("Free")
        PRO = "pro", _("Pro")
        ENTERPRISE = "enterprise", _("Enterprise")

    name = models.CharField(_("name"), max_length=200)
    email_domain = models.CharField(
        _("e-mail domain"),
        max_length=253,
        unique=True,
        null=True,
        blank=True,
        help_text=_(
            "The company's domain, e.g. acme.com, to find its customers. A typed address proves "
            "nothing, so only members assigned below get this organization's tier."
        ),
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, default=Tier.FREE)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="organizations",
        verbose_name=_("members"),
        help_text=_("Customer accounts an admin has checked belong here: they get its tier."),
    )

    class Meta:
        verbose_name = _("organization")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Team(models.Model):
    """Another team a ticket can wait on (engineering, billing, …), kept in the Django admin."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("team")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SlaState(models.TextChoices):
    NONE = "", _("No SLA")
    OK = "ok", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")


class Ticket(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        PENDING = "pending", _("Waiting on customer")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class Priority(models.TextChoices):
        # Lowest first: triage and SLA escalation step along this order (`stepped`).
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

        @classmethod
        def stepped(cls, level: str, steps: int) -> "Ticket.Priority":
            """`level` moved `steps` up (down if negative), never past low or urgent; an
            unknown level counts as normal."""
            order = list(cls)
            position = order.index(cls(level)) if level in cls.values else order.index(cls.NORMAL)
            return order[max(0, min(len(order) - 1, position + steps))]

    class Resolution(models.TextChoices):
        ANSWERED_BY_ARTICLE = "answered_by_article", _("Answered by an article")
        KB_GAP = "kb_gap", _("No article covers this")
        NOT_KB = "not_kb", _("Not a knowledge-base question")
        # Product signals: what the ticket tells the product team (tickets/gaps/product_signals.py).
        BUG_REPORT = "bug_report", _("Bug report")
        FEATURE_REQUEST = "feature_request", _("Feature request")
        ACCOUNT_ACTION = "account_action", _("Account action")
        # The customer clicked "This solved it" on the answer offered after filing: resolved by
        # self-service after filing, unlike a deflection, where no ticket was filed at all.
        SELF_SERVICE = "self_service", _("Solved by the answer offered after filing")

    OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING)

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name=_("customer account"),
    )
    customer_email = models.EmailField(_("customer e-mail"))
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), max_length=20000)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW, db_index=True
    )
    priority = models.CharField(
        _("priority"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    category = models.ForeignKey(
        "kb.CategoryPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name=_("category"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        limit_choices_to={"is_staff": True},
        verbose_name=_("assignee"),
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name=_("organization"),
    )
    source_page = models.CharField(_("came from"), max_length=500, blank=True)
    contact_session = models.OneToOneField(
        ContactSession,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ticket",
        verbose_name=_("contact session"),
    )
    resolution = models.CharField(
        _("resolution"), max_length=24, choices=Resolution.choices, blank=True
    )
    resolved_article = models.ForeignKey(
        "kb.ArticlePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resolved_tickets",
        limit_choices_to={"live": True},
        verbose_name=_("answered by article"),
    )
    top_score = models.FloatField(_("best suggestion score at filing"), null=True, blank=True)
    priority_reason = models.CharField(_("why this priority"), max_length=200, blank=True)
    auto_category = models.ForeignKey(
        "kb.CategoryPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("category guessed at filing"),
    )
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    sla_state = models.CharField(
        _("SLA"), max_length=16, choices=SlaState.choices, default=SlaState.NONE, db_index=True
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_tickets",
        verbose_name=_("merged into"),
    )
    gap_request = models.ForeignKey(
        "tickets.ArticleRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name=_("article to write"),
    )
    top_relative = models.FloatField(_("best relative score at filing"), null=True, blank=True)
    waiting_on_team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="waiting_tickets",
        verbose_name=_("waiting on team"),
        help_text=_("Another team this ticket waits on; empty when support can act on it."),
    )
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, editable=False)
    # Who filed it (a hash of their account or browser): a submission key only finds a ticket
    # its own filer filed, so a key seen elsewhere never opens someone else's ticket.
    filer_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    last_activity_at = models.DateTimeField(_("last activity"), auto_now_add=True)
    last_agent_activity_at = models.DateTimeField(_("last agent activity"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        permissions = [
            ("work_ticket_queue", _("Can work the ticket queue")),
            ("view_backlog", _("Can view the backlog dashboard")),
            ("view_product_signals", _("Can view product signals")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["filer_key", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="tickets_one_ticket_per_filers_submission",
            ),
        ]
        indexes = [
            models.Index(fields=["filer_key", "created_at"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["resolved_at"]),
        ]

    def __str__(self):
        return f"{self.reference}: {self.subject}"

    @property
    def reference(self) -> str:
        return f"{REFERENCE_PREFIX}{self.pk + REFERENCE_OFFSET}" if self.pk else ""

    @classmethod
    def pk_from_reference(cls, reference: str) -> int | None:
        text = reference.strip().upper().removeprefix(REFERENCE_PREFIX)
        # isascii: str.isdigit() also accepts "¹" and other digits int() cannot read.
        if text.isascii() and text.isdigit() and len(text) < 12:
            return int(text) - REFERENCE_OFFSET
        return None

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class AnswerOffer(models.Model):
    """An article offered to a new ticket's customer, on its confirmation page and e-mail,
    and what they answered: "This solved it" closes the ticket, "I still need help" does not."""

    class State(models.TextChoices):
        OFFERED = "offered", _("Answer offered")
        ACCEPTED = "accepted", _("Solved by the answer")
        DECLINED = "declined", _("Still needs help")

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, related_name="answer_offer", verbose_name=_("ticket")
    )
    article = models.ForeignKey(
        "kb.ArticlePage",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("article offered"),
    )
    title = models.CharField(_("article title when offered"), max_length=255)
    relative = models.FloatField(_("confidence (relative score)"))
    state = models.CharField(
        _("answer"), max_length=16, choices=State.choices, default=State.OFFERED
    )
    created_at = models.DateTimeField(_("offered"), auto_now_add=True, db_index=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer offered after filing")
        verbose_name_plural = _("answers offered after filing")
        indexes = [models.Index(fields=["state", "answered_at"])]

    def __str__(self):
        return f"{self.ticket_id}: {self.title} [{self.get_state_display()}]"


class TicketVector(models.Model):
    """A ticket's meaning (kb/engine/similarity.py), stored when it is filed, so that triage,
    similar tickets and gap mining compare meanings without running the model again."""

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, primary_key=True, related_name="meaning"
    )
    vector = models.BinaryField()

    class Meta:
        verbose_name = _("ticket vector")


class TicketMessage(models.Model):
    """One entry in a ticket's thread: a public reply or an agents-only note."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_customer = models.BooleanField(default=False)
    body = models.TextField(_("message"), max_length=20000)
    internal = models.BooleanField(
        _("internal note"), default=False, help_text=_("Visible to agents only.")
    )
    # A follow-up filed through the contact form: the same submission adds it once.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("message")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.ticket.reference} message {self.pk}"


class TicketLink(models.Model):
    """A personal link e-mailed to a customer without an account; only its hash is stored."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ticket link")


class TicketEvent(models.Model):
    """The ticket's history: every status change and assignment, for the backlog metrics."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        PRIORITY = "priority", _("Priority changed")
        CATEGORY = "category", _("Category changed")
        REPLIED = "replied", _("Agent replied")
        CUSTOMER_REPLIED = "customer_replied", _("Customer replied")
        NOTE = "note", _("Internal note")
        ESCALATED = "escalated", _("SLA breached, escalated")
        MERGED = "merged", _("Merged")
        FOLLOW_UP = "follow_up", _("Customer follow-up")
        WAITING_ON = "waiting_on", _("Waiting on team changed")
        ANSWER_OFFERED = "answer_offered", _("Answer offered after filing")
        ANSWER_ACCEPTED = "answer_accepted", _("Customer: the offered answer solved it")
        ANSWER_DECLINED = "answer_declined", _("Customer: still needs help after the answer")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_value = models.CharField(max_length=64, blank=True)
    to_value = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("ticket event")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["kind", "created_at"])]


class Notification(models.Model):
    """An e-mail owed to someone, written in the same transaction as its cause (an outbox).

    A task sends it right after commit; a scheduled sweep retries what failed, so a mail server
    outage delays e-mails but never loses them or the ticket.
    """

    class Kind(models.TextChoices):
        TICKET_RECEIVED = "ticket_received", _("Ticket received")
        AGENT_REPLY = "agent_reply", _("Agent replied")
        CUSTOMER_REPLY = "customer_reply", _("Customer replied")
        TICKET_RESOLVED = "ticket_resolved", _("Ticket resolved")
        TICKET_MERGED = "ticket_merged", _("Ticket merged")
        SLA_BREACHED = "sla_breached", _("SLA breached")
        NEW_LINK = "new_link", _("New link to the ticket")
        GAP_ARTICLE = "gap_article", _("Article written for the customer's question")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Gave up")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notifications")
    message = models.ForeignKey(
        TicketMessage, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # A gap-article notice: the article to write whose article it announces.
    article_request = models.ForeignKey(
        "tickets.ArticleRequest",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    recipient = models.EmailField()
    state = models.CharField(
        max_length=8, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail notification")
        constraints = [
            # A customer hears about the article written for their question once, however
            # many of their tickets asked it and however often the article is republished.
            models.UniqueConstraint(
                fields=["article_request", "recipient"],
                condition=Q(article_request__isnull=False),
                name="tickets_one_gap_notice_per_address",
            ),
        ]


class ArticleRequest(models.Model):
    """An article to write: similar tickets no article answered, grouped by the gap miner."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DISMISSED = "dismissed", _("Dismissed")

    title = models.CharField(_("proposed title"), max_length=200)
    key_terms = models.JSONField(_("key terms"), default=list, blank=True)
    # The group's weighted terms (stem -> weight), to match new tickets on the next run.
    signature = models.JSONField(default=dict, editable=False)
    # The mean of its tickets' vectors (float32), to match new tickets by meaning (kb/engine).
    meaning = models.BinaryField(null=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    category = models.ForeignKey(
        "kb.CategoryPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("category"),
    )
    article = models.ForeignKey(
        "kb.ArticlePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="article_requests",
        verbose_name=_("article"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("editor"),
    )
    dismissed_reason = models.CharField(_("why dismissed"), max_length=500, blank=True)
    ticket_count = models.PositiveIntegerField(_("tickets"), default=0)
    search_count = models.PositiveIntegerField(_("failed searches"), default=0)
    session_count = models.PositiveIntegerField(_("abandoned contacts"), default=0)
    priority = models.FloatField(_("priority"), default=0, db_index=True)
    first_seen_at = models.DateTimeField(_("first seen"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    searches = models.ManyToManyField(
        "kb.FailedSearch", blank=True, related_name="article_requests"
    )

    class Meta:
        verbose_name = _("article to write")
        verbose_name_plural = _("articles to write")
        ordering = ["-priority", "-last_seen_at"]

    def __str__(self):
        return self.title


class SupportSettings(models.Model):
    """Knobs of the support flow that admins tune (one row, edited in the Django admin)."""

    zombie_age_days = models.PositiveSmallIntegerField(
        _("zombie: open for more than (days)"), default=14
    )
    zombie_quiet_days = models.PositiveSmallIntegerField(
        _("zombie: no agent activity for (days)"),
        default=7,
        help_text=_("A ticket open that long with no assignee, or untouched by agents this long."),
    )
    follow_up_similarity = models.FloatField(
        _("follow-up similarity"),
        default=0.5,
        validators=[MinValueValidator(0.05), MaxValueValidator(1.0)],
        help_text=_(
            "How alike (0–1) a new request must be to one of the customer's open tickets to be "
            "added to it as a follow-up instead of opening another ticket."
        ),
    )
    business_day_start = models.TimeField(_("business day starts"), default=time(9, 0))
    business_day_end = models.TimeField(_("business day ends"), default=time(17, 0))
    business_days = models.CharField(
        _("business days"),
        max_length=20,
        default="0,1,2,3,4",
        validators=[RegexValidator(r"^[0-6](,[0-6])*$")],
        help_text=_("Weekday numbers, Monday = 0: “0,1,2,3,4” is Monday to Friday."),
    )
    sla_at_risk_share = models.FloatField(
        _("at risk after this share of the SLA time"),
        default=0.75,
        validators=[MinValueValidator(0.1), MaxValueValidator(0.99)],
    )

    class Meta:
        verbose_name = _("support settings")
        verbose_name_plural = _("support settings")

    def __str__(self):
        return str(_("Support settings"))

    @classmethod
    def current(cls) -> "SupportSettings":
        return cls.objects.get_or_create(pk=1)[0]

    def weekdays(self) -> set[int]:
        return {int(day) for day in self.business_days.split(",") if day.strip()}


class SlaPolicy(models.Model):
    """Service targets for a customer tier and priority, in business minutes."""

    tier = models.CharField(_("tier"), max_length=16, choices=Organization.Tier.choices)
    priority = models.CharField(_("priority"), max_length=16, choices=Ticket.Priority.choices)
    first_response_minutes = models.PositiveIntegerField(_("first response within (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution within (minutes)"))

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["tier", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "priority"], name="tickets_one_sla_per_tier")
        ]

    def __str__(self):
        return f"{self.get_tier_display()} / {self.get_priority_display()}"


class CategoryRoute(models.Model):
    """Who gets a new ticket of this category first."""

    category = models.OneToOneField(
        "kb.CategoryPage", on_delete=models.CASCADE, related_name="+", verbose_name=_("category")
    )
    default_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"is_staff": True},
        verbose_name=_("default assignee"),
    )

    class Meta:
        verbose_name = _("category route")

    def __str__(self):
        return f"{self.category} → {self.default_assignee}"


class WidgetOrigin(models.Model):
    """A website allowed to embed the help widget, and the secret that signs its user tokens."""

    origin = models.CharField(
        _("origin"),
        max_length=200,
        unique=True,
        validators=[RegexValidator(r"^https?://[^/\s]+$", _("Like https://app.example.com"))],
        help_text=_("Scheme, host and port, no path: https://app.example.com"),
    )
    secret = models.CharField(
        _("shared secret"),
        max_length=200,
        default=_new_secret,
        help_text=_("Signs the user tokens the host application passes (see README)."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("widget origin")

    def __str__(self):
        return self.origin


class SatisfactionRating(models.Model):
    """How the customer felt about a resolved ticket: good or bad, once, changeable."""

    class Rating(models.TextChoices):
        GOOD = "good", _("Good")
        BAD = "bad", _("Bad")

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, related_name="satisfaction", verbose_name=_("ticket")
    )
    rating = models.CharField(_("rating"), max_length=8, choices=Rating.choices)
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    # Who worked the ticket when it was rated, so reassigning it later keeps the credit.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("agent"),
    )
    created_at = models.DateTimeField(_("rated"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("satisfaction rating")

    def __str__(self):
        return f"{self.ticket.reference}: {self.get_rating_display()}"


class CustomerPreferences(models.Model):
    """A signed-in customer's choice of optional e-mails (no row: the defaults)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_preferences"
    )
    article_notices = models.BooleanField(
        _("e-mail me when an article answers a question I asked"), default=True
    )

    class Meta:
        verbose_name = _("customer e-mail preferences")
        verbose_name_plural = _("customer e-mail preferences")


class EmailOptOut(models.Model):
    """An address that followed an unsubscribe link: it gets no optional e-mails."""

    email = models.EmailField(_("e-mail address"), unique=True)  # stored lower-case
    created_at = models.DateTimeField(_("unsubscribed"), auto_now_add=True)

    class Meta:
        verbose_name = _("e-mail opt-out")

    def __str__(self):
        return self.email


class SavedReply(models.Model):
    """A reply agents send in one click: text with placeholders, and changes to the ticket."""

    # Resolving needs a resolution and closing a resolved ticket: neither belongs in a macro.
    STATUS_CHOICES = [
        (Ticket.Status.OPEN, Ticket.Status.OPEN.label),
        (Ticket.Status.PENDING, Ticket.Status.PENDING.label),
    ]

    title = models.CharField(_("title"), max_length=120, unique=True)
    body = models.TextField(
        _("reply"),
        max_length=20000,
        validators=[check_placeholders],
        help_text=_(
            "Placeholders: {customer_name}, {reference}, {subject}, {agent_name}, and "
            "{article:42} for the title and link of the published article with id 42."
        ),
    )
    set_status = models.CharField(
        _("then set the status to"),
        max_length=16,
        choices=STATUS_CHOICES,
        blank=True,
        help_text=_("Empty: a public reply leaves the ticket waiting on the customer."),
    )
    set_category = models.ForeignKey(
        "kb.CategoryPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("then set the category to"),
    )
    set_priority = models.CharField(
        _("then set the priority to"), max_length=16, choices=Ticket.Priority.choices, blank=True
    )
    active = models.BooleanField(
        _("offered to agents"), default=True, help_text=_("Untick to retire it but keep its use.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("saved reply")
        verbose_name_plural = _("saved replies")
        ordering = ["title"]

    def __str__(self):
        return self.title


class SavedReplyUse(models.Model):
    """One saved reply sent on one ticket: counts its use and, once resolved, what it solved."""

    reply = models.ForeignKey(
        SavedReply, on_delete=models.CASCADE, related_name="uses", verbose_name=_("saved reply")
    )
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="saved_reply_uses", verbose_name=_("ticket")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("agent"),
    )
    message = models.ForeignKey(
        TicketMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    used_at = models.DateTimeField(_("used"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("saved reply use")
        indexes = [models.Index(fields=["reply", "used_at"])]

    def __str__(self):
        return f"{self.reply} on {self.ticket.reference}"
