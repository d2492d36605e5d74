"""Auth and django-axes signals, handed to the services that write the audit log.

The admin log-in is Django's own view, so these signals are the one place that sees
all three doors; the services do the work.
"""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts import services
from accounts.lockout import refused_while_locked, username_from_credentials


@receiver(user_logged_in, dispatch_uid="accounts_login_record")
def on_logged_in(sender, request, user, **kwargs):
    services.login_record(user=user)


@receiver(user_logged_out, dispatch_uid="accounts_logout_record")
def on_logged_out(sender, request, user, **kwargs):
    services.logout_record(user=user)


@receiver(user_login_failed, dispatch_uid="accounts_login_failure_record")
def on_login_failed(sender, credentials, request=None, **kwargs):
    services.login_failure_record(
        email=username_from_credentials(request, credentials),
        locked=refused_while_locked(request),
    )


@receiver(user_locked_out, dispatch_uid="accounts_lockout_record")
def on_locked_out(sender, request, username, **kwargs):
    # axes sends this when a lock starts and again for every attempt refused during it.
    if refused_while_locked(request):
        return
    services.lockout_record(email=username)
