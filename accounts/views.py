from allauth.account.views import LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: who you are and where to go next."""
    return render(request, "home.html")


# Signing out changes state, so it is POST only: a GET is answered 405.
logout = require_POST(LogoutView.as_view())
