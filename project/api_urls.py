"""Everything under /api/: each app contributes its own ``api_urls`` module."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api_urls")),
    path("", include("sessions_audit.api_urls")),
]
