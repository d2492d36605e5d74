"""Store every e-mail in its canonical form (accounts.identity), the form log-ins,
registrations and the lockout now match with plain equality.

Before, accounts were matched with ``iexact`` and stored as typed, so two rows could
hold spellings of one address (``Sam@x.com`` and ``ſam@x.com``). Merging accounts is
not a migration's call: if that happened, the migration stops and names them, and
staff change one e-mail in the admin before migrating again.
"""

from collections import defaultdict

from django.db import migrations

from accounts.identity import canonical_email


def store_canonical_emails(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    by_canonical = defaultdict(list)
    for pk, email in User.objects.values_list("pk", "email").iterator():
        by_canonical[canonical_email(email)].append((pk, email))
    clashes = {canonical: rows for canonical, rows in by_canonical.items() if len(rows) > 1}
    if clashes:
        named = "; ".join(
            f"{canonical}: " + ", ".join(f"user {pk} ({email!r})" for pk, email in rows)
            for canonical, rows in sorted(clashes.items())
        )
        raise RuntimeError(
            f"Several accounts are spellings of one e-mail address; change all but one before migrating: {named}"
        )
    for canonical, [(pk, email)] in by_canonical.items():
        if email != canonical:
            User.objects.filter(pk=pk).update(email=canonical)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(store_canonical_emails, migrations.RunPython.noop, elidable=True)]
