from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("passkeys/", views.passkeys, name="passkeys"),
    path("passkeys/<int:pk>/rename/", views.rename_passkey, name="rename_passkey"),
    path("passkeys/<int:pk>/remove/", views.remove_passkey, name="remove_passkey"),
]
