"""Tickets and what hangs off them: messages, history, links, meanings, answers offered, ratings."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.models.contact import ContactSession
from tickets.models.customers import Organization, Team

REFERENCE_PREFIX = "SUP-"
REFERENCE_OFFSET = 1000  # so the first ticket reads SUP-1001, not SUP-1


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
