"""JSON endpoints of the accounts app (mounted under /api/)."""

urlpatterns: list = []
