from allauth.account.views import LogoutView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import ceremonies, selectors, services
from .app_settings import app_settings
from .models import Passkey


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: who you are and where to go next."""
    return render(request, "home.html")


_logout = LogoutView.as_view()


def logout(request: HttpRequest) -> HttpResponse:
    """Sign out: POST only, since it changes state; a GET gets a 405 page."""
    if request.method != "POST":
        response = render(request, "account/logout_post_only.html", status=405)
        response["Allow"] = "POST"
        return response
    return _logout(request)


def _passkey_or_404(request: HttpRequest, pk: int) -> Passkey:
    passkey = selectors.passkeys_of(user=request.user).filter(pk=pk).first()
    if passkey is None:
        raise Http404("No such passkey.")
    return passkey


@login_required
def passkeys(request: HttpRequest) -> HttpResponse:
    """The user's passkeys: add (JavaScript), rename, remove."""
    reauth_url = (
        reverse("account_reauthenticate")
        + "?"
        + urlencode({"next": reverse("accounts:passkeys")})
    )
    context = {
        "passkeys": selectors.passkeys_of(user=request.user),
        "fresh": selectors.recently_reauthenticated(request),
        "has_password": request.user.has_usable_password(),
        "reauth_url": reauth_url,
        "name_max_length": app_settings.NAME_MAX_LENGTH,
    }
    return render(request, "account/passkeys.html", context)


@login_required
@require_POST
def rename_passkey(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename one of the user's own passkeys."""
    passkey = _passkey_or_404(request, pk)
    name = request.POST.get("name", "")
    if not name.strip():
        messages.error(request, "A passkey needs a name.")
    else:
        services.rename_passkey(
            passkey=passkey,
            name=ceremonies.passkey_name(name, user=request.user),
            actor=request.user,
            request=request,
        )
        messages.success(request, "Passkey renamed.")
    return redirect("accounts:passkeys")


@login_required
@require_POST
def remove_passkey(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a passkey (after a fresh re-authentication)."""
    passkey = _passkey_or_404(request, pk)
    if not selectors.recently_reauthenticated(request):
        messages.error(request, "Confirm it is you first, then remove the passkey.")
        return redirect("accounts:passkeys")
    try:
        ended = services.remove_passkey(
            passkey=passkey,
            actor=request.user,
            end_sessions=request.POST.get("end_sessions") == "on",
            request=request,
        )
    except services.LastWayIn:
        messages.error(
            request, "That is your only way to sign in: set a password first."
        )
        return redirect("accounts:passkeys")
    if not request.user.is_authenticated or (
        request.user_session is not None
        and request.user_session.passkey_id == passkey.pk
        and ended
    ):
        # This very session signed in with the passkey and has just ended.
        return redirect("account_login")
    if ended:
        text = ngettext(
            "Passkey removed; %(n)d session ended.",
            "Passkey removed; %(n)d sessions ended.",
            ended,
        ) % {"n": ended}
    else:
        text = "Passkey removed."
    messages.success(request, text)
    return redirect("accounts:passkeys")
