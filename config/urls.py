from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from governance import urls as governance_urls
from governance.views import healthz
from meetings import urls as meetings_urls
from portal import urls as portal_urls
from portal.operations.readiness import readyz

# The portal's pages share the namespaces of the apps they stood in before (``governance:body``,
# ``meetings:dashboard``...), so each namespace is mounted once, with the app's patterns and the portal's.
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Readiness: database, broker, media store, worker heartbeat; 503 naming what is down.
    path("readyz", readyz, name="readyz"),
    # Pages outside base.html (the admin, the API docs) make browsers ask for /favicon.ico: no 404 for it.
    path("favicon.ico", lambda request: redirect(static("img/favicon.svg"))),
    path("admin/", admin.site.urls),
    path("accounts/", include("governance.account_urls")),
    path("accounts/", include(portal_urls.account_pages)),
    path(
        "governance/",
        include((portal_urls.governance_pages + governance_urls.urlpatterns, governance_urls.app_name)),
    ),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("", include((portal_urls.meetings_pages + meetings_urls.urlpatterns, meetings_urls.app_name))),
    path("", include((portal_urls.portal_pages, "portal"))),
    path("", include((portal_urls.public_pages, "public"))),
    path("chairmanship/", include("chairmanship.urls")),
    path("outbox/", include("outbox.urls")),
]

handler500 = "governance.views.server_error"
