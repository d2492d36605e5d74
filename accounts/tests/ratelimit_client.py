"""A second process for the shared-counter tests: sends requests through this project's
Django stack (same settings, same Redis) and prints the status codes as JSON.

    python accounts/tests/ratelimit_client.py '{"path": "/x/", "count": 60, "ip": "203.0.113.5"}'
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

import django

django.setup()

from django.test import Client  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402


def main(spec: dict) -> list[int]:
    setup_test_environment()  # lets the test client's "testserver" host through
    headers = {"REMOTE_ADDR": spec["ip"]}
    if spec.get("bearer"):
        headers["HTTP_AUTHORIZATION"] = f"Bearer {spec['bearer']}"
    with override_settings(ROOT_URLCONF="accounts.tests.ratelimit_urls"):
        client = Client(**headers)
        send = getattr(client, spec.get("method", "get").lower())
        return [send(spec["path"]).status_code for _ in range(spec["count"])]


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
