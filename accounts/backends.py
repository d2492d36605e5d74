from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """ModelBackend that also accepts the login name as ``email=``.

    Forms and the API post ``email``; Django's admin posts ``username``.
    """

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        return super().authenticate(request, username=username or email, password=password, **kwargs)
