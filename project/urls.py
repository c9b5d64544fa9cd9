from allauth.account import views as allauth_views
from allauth.account.decorators import reauthentication_required, secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

from .spa import spa

# The admin signs in through allauth, so its rate limits and audit apply there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Session control"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/logout/", account_views.logout, name="account_logout"),
    # Changing the password needs a recent re-authentication as well as the old
    # password (issue 4, rule 6); this shadows allauth's own route.
    path(
        "accounts/password/change/",
        reauthentication_required(allauth_views.password_change),
        name="account_change_password",
    ),
    path("accounts/", include("allauth.urls")),
    path("account/", include("sessions_audit.urls")),
    path("audit/", include("sessions_audit.audit_urls")),
    path("account/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("project.api_urls")),
    path("app/", spa, name="spa"),
]
