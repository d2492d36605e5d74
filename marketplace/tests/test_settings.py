"""Settings come from the environment: each case runs in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'name': str(settings.DATABASES['default']['NAME']), "
    "'cache': settings.CACHES['default']['BACKEND'], 'debug': settings.DEBUG, "
    "'secure_cookies': settings.SESSION_COOKIE_SECURE, 'hsts': settings.SECURE_HSTS_SECONDS}))"
)
# Also drop what the browser fixture sets for its own process.
SERVICE_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "VAR_DIR",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def run_django(code: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    clean.update({"DJANGO_SETTINGS_MODULE": "marketplace.settings", "VAR_DIR": str(tmp_path / "var"), **env})
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=60
    )


def probe(env: dict[str, str], tmp_path: Path) -> dict:
    result = run_django(PROBE, env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_no_environment_means_sqlite_and_local_memory(tmp_path):
    values = probe({}, tmp_path)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(tmp_path / "var" / "db.sqlite3")
    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["debug"] is True


def test_make_run_path_works_on_sqlite(tmp_path):
    # What `make run` does with no settings: migrate, seed the demo account (through the
    # changeset engine, its audit entries and operations), then a bulk edit and its undo.
    code = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); "
        "call_command('seed_demo', '--if-empty', '--rows', '20', '--email', 'demo@example.com'); "
        "from accounts.models import User; from listings.models import Listing; "
        "from listings.services.bulk import listings_price_adjust; "
        "from listings.services.undo import undo_last; from decimal import Decimal; "
        "user = User.objects.get(email='demo@example.com'); mine = Listing.objects.filter(owner=user); "
        "before = sorted(mine.values_list('price', flat=True)); "
        "listings_price_adjust(listings=mine, actor=user, percent=Decimal('-10')); "
        "undo_last(user=user); "
        "print(mine.count(), sorted(mine.values_list('price', flat=True)) == before)"
    )
    result = run_django(code, {}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "20 True"


def test_urls_switch_to_postgres_and_redis(tmp_path):
    values = probe(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/anything",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
        },
        tmp_path,
    )
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "anything"
    assert values["cache"] == "django_redis.cache.RedisCache"


def test_production_without_secret_key_fails_loudly(tmp_path):
    result = run_django(PROBE, {"DEBUG": "0"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_switches_security_on(tmp_path):
    values = probe({"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "shop.example.com"}, tmp_path)
    assert values["debug"] is False
    assert values["secure_cookies"] is True
    assert values["hsts"] == 31_536_000


def test_a_malformed_boolean_is_refused(tmp_path):
    result = run_django(PROBE, {"DEBUG": "perhaps"}, tmp_path)
    assert result.returncode != 0
    assert "is not a boolean" in result.stderr


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_env(tmp_path):
    import secrets

    env = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "shop.example.com"}
    code = (
        "import django, sys; django.setup(); from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    result = run_django(code, env, tmp_path)
    assert result.returncode == 0, result.stderr


def test_uploads_stay_on_the_file_system_unless_a_bucket_is_named(tmp_path):
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "from django.core.files.storage import storages; "
        "print(json.dumps({'class': type(storages['default']).__name__, **settings.STORAGES['default']}))"
    )
    local = json.loads(run_django(code, {}, tmp_path).stdout.strip().splitlines()[-1])
    assert local["class"] == "FileSystemStorage"
    env = {
        "UPLOADS_S3_BUCKET": "shop-uploads",
        "UPLOADS_S3_ENDPOINT_URL": "http://s3.internal:9000",
        "UPLOADS_S3_ACCESS_KEY_ID": "key",
        "UPLOADS_S3_SECRET_ACCESS_KEY": "secret",
        "UPLOADS_S3_ADDRESSING_STYLE": "path",
    }
    s3 = json.loads(run_django(code, env, tmp_path).stdout.strip().splitlines()[-1])
    assert s3["class"] == "S3Storage"
    assert s3["OPTIONS"]["bucket_name"] == "shop-uploads"
    assert s3["OPTIONS"]["endpoint_url"] == "http://s3.internal:9000"
    assert (s3["OPTIONS"]["access_key"], s3["OPTIONS"]["secret_key"]) == ("key", "secret")
    assert s3["OPTIONS"]["file_overwrite"] is False and s3["OPTIONS"]["default_acl"] is None
