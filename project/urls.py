from allauth.account.decorators import secure_admin_login
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
    path("accounts/", include("allauth.urls")),
    path("account/", include("sessions_audit.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("project.api_urls")),
    path("app/", spa, name="spa"),
]
