import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import LOGIN_AT_KEY


@receiver(user_logged_in)
def remember_login_time(sender, request, user, **kwargs):
    # The absolute session lifetime counts from this moment (Django has already cycled the key).
    request.session[LOGIN_AT_KEY] = int(time.time())
