from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal import healthz, views
from tickets.backlog import dashboard
from tickets.gaps import product_signals_views

urlpatterns = [
    path(
        "django-admin/backlog/",
        admin.site.admin_view(dashboard.backlog_dashboard),
        name="backlog-dashboard",
    ),
    path(
        "django-admin/backlog/backlog.csv",
        admin.site.admin_view(dashboard.backlog_csv),
        name="backlog-csv",
    ),
    path(
        "django-admin/product-signals/",
        admin.site.admin_view(product_signals_views.product_signals_view),
        name="product-signals",
    ),
    path(
        "django-admin/product-signals/product-signals.csv",
        admin.site.admin_view(product_signals_views.product_signals_csv),
        name="product-signals-csv",
    ),
    path(
        "django-admin/product-signals/product-signals.json",
        admin.site.admin_view(product_signals_views.product_signals_json),
        name="product-signals-json",
    ),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include("portal.api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", healthz.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("widget-demo/", views.widget_demo, name="widget-demo"),
    path("support/", include("tickets.support.urls")),
    path("", include("kb.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail serves every other path: the knowledge base's pages.
urlpatterns.append(path("", include(wagtail_urls)))
