"""Replace Wagtail's welcome page with the knowledge base, so a fresh database serves the portal."""

from django.db import migrations


def create_root(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    KnowledgeBasePage = apps.get_model("kb.KnowledgeBasePage")

    if KnowledgeBasePage.objects.exists():
        return
    page_type = ContentType.objects.get(model="page", app_label="wagtailcore")
    Page.objects.filter(content_type=page_type, slug="home", depth=2).delete()
    kb_type, _ = ContentType.objects.get_or_create(model="knowledgebasepage", app_label="kb")
    root = Page.objects.get(depth=1)
    last_child = Page.objects.filter(depth=2).order_by("-path").first()
    path = "0001" + (f"{int(last_child.path[4:8]) + 1:04d}" if last_child else "0001")
    home = KnowledgeBasePage.objects.create(
        title="Help Center",
        draft_title="Help Center",
        slug="help",
        content_type=kb_type,
        path=path,
        depth=2,
        numchild=0,
        url_path="/help/",
        locale=Locale.objects.order_by("pk").first(),
        heading="What do you need help with?",
        intro="Search our articles, or contact support if you can't find an answer.",
    )
    Page.objects.filter(pk=root.pk).update(numchild=Page.objects.filter(depth=2).count())
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    else:
        site.root_page = home
        site.save()


def remove_root(apps, schema_editor):
    apps.get_model("kb.KnowledgeBasePage").objects.filter(depth=2).delete()


class Migration(migrations.Migration):
    dependencies = [("kb", "0001_initial")]

    operations = [migrations.RunPython(create_root, remove_root)]
