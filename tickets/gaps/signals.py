"""Reactions of the support side to knowledge-base events."""

from django.dispatch import receiver
from wagtail.signals import page_published

from kb.models import ArticlePage
from tickets.gaps.article_requests import requests_done_by_publishing


@receiver(page_published, sender=ArticlePage)
def _article_published(sender, instance, **kwargs):
    requests_done_by_publishing(article=instance)
