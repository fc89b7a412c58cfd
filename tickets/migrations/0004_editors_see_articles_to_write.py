"""Editors see and act on articles to write, and curate learned phrases; nothing of tickets."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {
    "tickets": ["view_articlerequest", "change_articlerequest"],
    "kb": ["view_learnedphrase", "change_learnedphrase", "delete_learnedphrase"],
}


def grant(apps, schema_editor):
    for label in EDITOR_PERMISSIONS:
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors is None:
        return
    for label, codenames in EDITOR_PERMISSIONS.items():
        editors.permissions.add(
            *Permission.objects.filter(content_type__app_label=label, codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0003_articlerequest_contactsession_gap_request_and_more"),
        ("kb", "0004_failedsearch_learnedphrase"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
