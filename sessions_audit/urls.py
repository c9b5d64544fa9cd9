from django.urls import path

from . import views

app_name = "sessions_audit"

urlpatterns = [
    path("devices/", views.devices, name="devices"),
    path("devices/end-others/", views.end_other_sessions, name="end_other_sessions"),
    path("devices/<uuid:session_id>/end/", views.end_session, name="end_session"),
]
