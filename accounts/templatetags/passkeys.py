from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def csrf_cookie_name() -> str:
    """The CSRF cookie's name, for page scripts that copy it into X-CSRFToken."""
    return settings.CSRF_COOKIE_NAME
