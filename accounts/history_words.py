"""The account actions in words, for the history page (see ``audit.words``)."""

from audit.words import register_action

ACTIONS = (
    ("register", "Account", "signed up"),
    ("login", "Log-ins", "logged in"),
    ("logout", "Log-ins", "logged out"),
    ("login_failed", "Log-ins", "tried to log in with a wrong password"),
    ("lockout", "Log-ins", "were locked out after too many failed log-ins"),
    ("unlock", "Account", "unlocked an account"),
    ("profile_update", "Account", "updated your profile"),
    ("password_change", "Account", "changed your password"),
    ("user.admin_update", "Account", "changed a user's account"),
    ("user.password_set", "Account", "set a user's password"),
)


def register() -> None:
    for action, label, headline in ACTIONS:
        register_action(action, label, headline)
