from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """The project's user model, custom from the first migration.

    ``session_epoch`` is the per-user marker that "revoke all" moves: every
    registry row remembers the epoch it was created under, and a row from an
    older epoch no longer authenticates, even if a copy of it survives.
    """

    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_username()
