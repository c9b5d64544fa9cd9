"""JSON endpoints of the accounts app (mounted under /api/)."""

from django.urls import path

from . import api, api_auth

# --- Sign-in, sign-out, "me" (accounts/api_auth.py) ---------------------------
urlpatterns = [
    path("auth/csrf/", api_auth.CsrfView.as_view(), name="api_csrf"),
    path("auth/login/", api_auth.LoginView.as_view(), name="api_login"),
    path("auth/logout/", api_auth.LogoutView.as_view(), name="api_logout"),
    path("auth/reauth/", api_auth.ReauthView.as_view(), name="api_reauth"),
    path("me/", api_auth.MeView.as_view(), name="api_me"),
]

# --- Passkeys (accounts/api*.py of the passkey feature) -------------------------
urlpatterns += [
    path("passkeys/", api.PasskeyListView.as_view(), name="api_passkeys"),
    path(
        "passkeys/<int:passkey_id>/",
        api.PasskeyDetailView.as_view(),
        name="api_passkey",
    ),
    path(
        "passkeys/register/options/",
        api.RegisterOptionsView.as_view(),
        name="api_passkey_register_options",
    ),
    path(
        "passkeys/register/verify/",
        api.RegisterVerifyView.as_view(),
        name="api_passkey_register_verify",
    ),
    path(
        "passkeys/login/options/",
        api.LoginOptionsView.as_view(),
        name="api_passkey_login_options",
    ),
    path(
        "passkeys/login/verify/",
        api.LoginVerifyView.as_view(),
        name="api_passkey_login_verify",
    ),
]
