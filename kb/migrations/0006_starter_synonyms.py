"""A new knowledge base starts with common support synonyms ("delete, remove"), which its
editors change or delete like their own."""

from django.db import migrations
from django.db.models import F

from kb.synonyms import STARTER_GROUPS


def add_starter_groups(apps, schema_editor):
    SynonymGroup = apps.get_model("kb", "SynonymGroup")
    if SynonymGroup.objects.exists():
        return  # editors already keep their own synonyms: leave them as they made them
    SynonymGroup.objects.bulk_create(SynonymGroup(terms=terms) for terms in STARTER_GROUPS)
    # Signals do not run in migrations: mark any built index out of date by hand.
    SuggestIndexState = apps.get_model("kb", "SuggestIndexState")
    SuggestIndexState.objects.filter(pk=1).update(generation=F("generation") + 1)


def remove_starter_groups(apps, schema_editor):
    apps.get_model("kb", "SynonymGroup").objects.filter(terms__in=STARTER_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [("kb", "0005_articlepage_help_places")]

    operations = [migrations.RunPython(add_starter_groups, remove_starter_groups)]
