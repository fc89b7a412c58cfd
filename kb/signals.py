"""Keep what customers see fresh: changes they could notice expire the index and stored pages."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from kb import pagecache, shared_index
from kb.models import ArticlePage, CategoryPage, LearnedPhrase, SynonymGroup

INDEXED_PAGE_TYPES = (ArticlePage, CategoryPage)


@receiver(page_published)
@receiver(page_unpublished)
def _page_visibility_changed(sender, instance, **kwargs):
    # Deleting a live page unpublishes it first, so deletions arrive here too.
    if issubclass(sender, INDEXED_PAGE_TYPES):
        shared_index.content_changed()


@receiver(post_page_move)
def _page_moved(sender, instance, **kwargs):
    if isinstance(instance.specific_deferred, INDEXED_PAGE_TYPES):
        shared_index.content_changed()


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
@receiver(post_save, sender=SynonymGroup)
@receiver(post_delete, sender=SynonymGroup)
@receiver(post_save, sender=LearnedPhrase)
@receiver(post_delete, sender=LearnedPhrase)
def _search_rules_changed(sender, **kwargs):
    shared_index.content_changed()


# --- stored pages for anonymous readers (kb/pagecache.py) ----------------------------------


@receiver(page_published)
@receiver(page_unpublished)
@receiver(post_page_move)
@receiver(post_delete, sender=Page)
@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
@receiver(post_save, sender=SynonymGroup)
@receiver(post_delete, sender=SynonymGroup)
@receiver(post_save, sender=Site)
def _readers_could_notice(sender, **kwargs):
    pagecache.pages_changed()
