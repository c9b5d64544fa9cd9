"""Everything under /api/: each app contributes its own ``api_urls`` module."""

from django.conf import settings
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from .api_schema import DocsView

urlpatterns = [
    path("", include("accounts.api_urls")),
    path("", include("sessions_audit.api_urls")),
]

# --- OpenAPI schema and docs page -------------------------------------------------
if settings.API_DOCS:
    urlpatterns += [
        path(
            "schema/",
            SpectacularAPIView.as_view(
                authentication_classes=[], permission_classes=[]
            ),
            name="api_schema",
        ),
        path("docs/", DocsView.as_view(url_name="api_schema"), name="api_docs"),
    ]
