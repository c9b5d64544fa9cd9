"""JSON endpoints of the sessions_audit app (mounted under /api/)."""

urlpatterns: list = []
