"""Answers offered after filing for the demo history (`seed_demo`), decided by the same engine
and threshold as a real ticket's, with what the customers answered."""

import random
from datetime import timedelta

from tickets.models import AnswerOffer, Ticket, TicketEvent
from tickets.seeding import SEED_DOMAIN
from tickets.services.answer_offers import confident_answer_for

ACCEPTED_SHARE = 0.35  # of resolved tickets offered an answer: the customer closed it with it
DECLINED_SHARE_OPEN = 0.3  # of open ones: they said "I still need help"


def answer_offers_seed(*, seed: int = 0) -> int:
    """Offer seeded tickets what the engine confidently matches; returns the offers made."""
    rng = random.Random(seed)
    chosen_for: dict[str, tuple] = {}
    offers, events, self_served = [], [], []
    tickets = Ticket.objects.filter(customer_email__endswith=SEED_DOMAIN, answer_offer__isnull=True)
    for ticket in tickets.select_related("category").order_by("pk").iterator(chunk_size=500):
        if ticket.category_id and not ticket.category.offer_answer_after_filing:
            continue
        text = f"{ticket.subject}\n{ticket.description}"
        if text not in chosen_for:  # seeded tickets repeat their words: ask the engine once
            chosen_for[text] = confident_answer_for(ticket)
        if chosen_for[text] is None:
            continue
        article, relative = chosen_for[text]
        offer = AnswerOffer(
            ticket=ticket,
            article=article,
            title=article.title,
            relative=relative,
            created_at=ticket.created_at,
        )
        events.append((ticket, TicketEvent.Kind.ANSWER_OFFERED, ticket.created_at, article.pk))
        if ticket.is_open:
            if rng.random() < DECLINED_SHARE_OPEN:
                offer.state = AnswerOffer.State.DECLINED
                offer.answered_at = ticket.created_at + timedelta(minutes=rng.randint(5, 120))
        elif rng.random() < ACCEPTED_SHARE and ticket.resolved_at:
            offer.state, offer.answered_at = AnswerOffer.State.ACCEPTED, ticket.resolved_at
            ticket.resolution, ticket.resolved_article = Ticket.Resolution.SELF_SERVICE, article
            self_served.append(ticket)
        else:
            offer.state = AnswerOffer.State.DECLINED
            offer.answered_at = ticket.created_at + timedelta(minutes=rng.randint(5, 120))
        if offer.answered_at:
            kind = (
                TicketEvent.Kind.ANSWER_ACCEPTED
                if offer.state == AnswerOffer.State.ACCEPTED
                else TicketEvent.Kind.ANSWER_DECLINED
            )
            events.append((ticket, kind, offer.answered_at, article.pk))
        offers.append(offer)
    created_at = AnswerOffer._meta.get_field("created_at")
    created_at.auto_now_add = False  # keep the moments of the past given above
    try:
        AnswerOffer.objects.bulk_create(offers, batch_size=1000)
    finally:
        created_at.auto_now_add = True
    Ticket.objects.bulk_update(self_served, ["resolution", "resolved_article"], batch_size=1000)
    event_created = TicketEvent._meta.get_field("created_at")
    event_created.auto_now_add = False
    try:
        TicketEvent.objects.bulk_create(
            [
                TicketEvent(ticket=t, kind=k, created_at=when, to_value=str(pk))
                for t, k, when, pk in events
            ],
            batch_size=2000,
        )
    finally:
        event_created.auto_now_add = True
    return len(offers)
