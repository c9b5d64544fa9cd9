"""JSON endpoints of the sessions_audit app (mounted under /api/)."""

from django.urls import path

from .api import views

urlpatterns = [
    path("sessions/", views.SessionListView.as_view(), name="api_sessions"),
    path(
        "sessions/revoke-others/",
        views.RevokeOthersView.as_view(),
        name="api_revoke_others",
    ),
    path(
        "sessions/<uuid:session_id>/",
        views.SessionDetailView.as_view(),
        name="api_session",
    ),
    path("audit/events/", views.AuditEventListView.as_view(), name="api_audit_events"),
    path("audit/export.csv", views.AuditExportView.as_view(), name="api_audit_export"),
    path(
        "admin/users/<int:user_id>/force-logout/",
        views.ForceLogoutView.as_view(),
        name="api_force_logout",
    ),
]
