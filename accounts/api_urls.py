"""JSON endpoints of the accounts app (mounted under /api/)."""

from django.urls import path

from . import api

urlpatterns = [
    path("passkeys/", api.PasskeyListView.as_view(), name="api_passkeys"),
    path("passkeys/<int:pk>/", api.PasskeyDetailView.as_view(), name="api_passkey"),
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
