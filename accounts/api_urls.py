"""JSON endpoints of the accounts app (mounted under /api/)."""

from django.urls import path

from . import api_auth

# --- Sign-in, sign-out, "me" (accounts/api_auth.py) ---------------------------
urlpatterns = [
    path("auth/csrf/", api_auth.CsrfView.as_view(), name="api_csrf"),
    path("auth/login/", api_auth.LoginView.as_view(), name="api_login"),
    path("auth/logout/", api_auth.LogoutView.as_view(), name="api_logout"),
    path("auth/reauth/", api_auth.ReauthView.as_view(), name="api_reauth"),
    path("me/", api_auth.MeView.as_view(), name="api_me"),
]

# --- Passkeys (accounts/api*.py of the passkey feature) -------------------------
