"""Small builders for test data: users, categories and articles."""

from django.contrib.auth.models import Group
from django.test import Client

from kb import markup
from kb.models import ArticlePage, CategoryPage
from kb.services import category_get_or_create, kb_root_get, unique_child_slug
from portal.models import User
from tickets import groups

PASSWORD = "correct horse battery staple"


def signed_in(user) -> Client:
    """A browser-less client signed in as this user."""
    client = Client()
    client.login(username=user.email, password=PASSWORD)
    return client


def make_user(email: str, *, groups=(), **fields) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, **fields)
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def make_editor(email: str = "editor@example.com") -> User:
    """A knowledge-base editor who may also publish (Wagtail's Editors and Moderators groups)."""
    return make_user(email, groups=[groups.EDITORS, groups.MODERATORS])


def make_category(title: str = "Billing", description: str = "") -> CategoryPage:
    return category_get_or_create(root=kb_root_get(), name=title, description=description)


def make_article(
    title: str,
    body: str = "Body text.",
    *,
    summary: str = "",
    category: CategoryPage | str = "Billing",
    tags: tuple[str, ...] = (),
    publish: bool = True,
) -> ArticlePage:
    if isinstance(category, str):
        category = make_category(category)
    article = ArticlePage(
        title=title,
        slug=unique_child_slug(category, title, fallback="article"),
        summary=summary or markup.summarise(body),
        body=markup.html_to_blocks(markup.to_safe_html(body)),
        live=False,
    )
    article.tags.set(tags)
    category.add_child(instance=article)
    revision = article.save_revision()
    if publish:
        revision.publish()
        article.refresh_from_db()
    return article


def make_agent(email: str = "agent@example.com") -> User:
    return make_user(email, groups=[groups.AGENTS], is_staff=True)


def make_ticket(
    customer=None, *, subject="Cannot export timesheets", description="It fails.", **kw
):
    from tickets.services import ticket_create

    ticket, _ = ticket_create(
        user=customer,
        email=kw.pop("email", customer.email if customer else "guest@example.com"),
        subject=subject,
        description=description,
        **kw,
    )
    return ticket


def ticket_change_url(ticket) -> str:
    return f"/django-admin/tickets/ticket/{ticket.pk}/change/"


def ticket_page_form(ticket, **changes) -> dict:
    """What the agent's ticket page posts when Save is pressed with only `changes` made."""
    data = {
        "status": ticket.status,
        "priority": ticket.priority,
        "category": ticket.category_id or "",
        "assignee": ticket.assignee_id or "",
        "reply": "",
        "resolution": ticket.resolution,
        "_save": "Save",
    }
    return {**data, **changes}
