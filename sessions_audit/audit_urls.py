from django.urls import path

from . import audit_views

app_name = "audit"

urlpatterns = [
    path("", audit_views.event_list, name="events"),
    path("export/", audit_views.event_export, name="export"),
    path("dashboard/", audit_views.dashboard, name="dashboard"),
]
