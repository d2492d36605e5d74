"""Docker cannot run here, so the compose file is checked as data: against the
Compose Specification's JSON schema (vendored, see compose_spec/SOURCE.md) and
against settings. ``.ci/run`` also runs ``docker compose config`` where it exists."""

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def env_names_settings_read() -> set[str]:
    source = (BASE_DIR / "marketplace" / "settings.py").read_text()
    return set(re.findall(r'env_(?:str|bool|int|list|json|required)\(\s*"([A-Z0-9_]+)"', source))


def test_the_stack_has_its_four_services():
    assert set(compose()["services"]) == {"db", "redis", "web", "worker"}


def test_database_and_redis_are_the_pinned_majors_with_healthchecks():
    services = compose()["services"]
    assert services["db"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    for name in ("db", "redis", "web", "worker"):
        assert services[name]["healthcheck"]["test"], name


def test_data_lives_in_named_volumes():
    data = compose()
    assert {"pgdata", "redisdata", "uploads"} <= set(data["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in data["services"]["db"]["volumes"]
    assert "uploads:/data/media" in data["services"]["web"]["volumes"]
    assert "uploads:/data/media" in data["services"]["worker"]["volumes"]


def test_web_and_worker_wait_for_healthy_services():
    services = compose()["services"]
    for name in ("web", "worker"):
        assert services[name]["depends_on"] == {
            "db": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }
    assert "migrate" in services["web"]["command"]
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"] == ["python", "manage.py", "db_worker"]


def test_every_app_variable_is_one_settings_reads():
    read = env_names_settings_read()
    for name in ("web", "worker"):
        environment = compose()["services"][name]["environment"]
        assert set(environment) <= read, set(environment) - read
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "MEDIA_ROOT"} <= read


def test_no_secret_is_written_into_the_file():
    text = (BASE_DIR / "docker-compose.yml").read_text()
    assert "${SECRET_KEY:?" in text
    assert "${POSTGRES_PASSWORD:?" in text


def test_the_stack_is_secure_by_default():
    """HTTPS redirect and secure cookies are on unless .env turns them off (README)."""
    environment = compose()["services"]["web"]["environment"]
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        assert environment[name] == f"${{{name}:-1}}", name

    assert compose()["services"]["web"]["environment"]["DEBUG"] == "0"


def compose_schema_errors(data: dict) -> list[str]:
    schema = json.loads((Path(__file__).parent / "compose_spec" / "compose-spec.json").read_text())
    validator = jsonschema.Draft201909Validator(schema)
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(data)
    ]


def test_the_file_follows_the_compose_specification():
    assert compose_schema_errors(compose()) == []


@pytest.mark.parametrize(
    "broken",
    [
        {"services": {"web": {"image": "x", "ports": [{"target": "eighty"}]}}},
        {"services": {"web": {"image": "x", "restart_policy": "always"}}},
        {"services": {"web": {"image": "x", "healthcheck": {"test": 5}}}},
    ],
)
def test_the_schema_check_catches_a_broken_file(broken):
    assert compose_schema_errors(broken)


def test_web_runs_gunicorn_with_the_worker_count_from_the_environment():
    command = compose()["services"]["web"]["command"]
    assert "gunicorn marketplace.wsgi:application" in command
    assert "--workers ${WEB_CONCURRENCY:-3}" in command
    assert "/api/health/ready/" in " ".join(compose()["services"]["web"]["healthcheck"]["test"])
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert "ENV WEB_CONCURRENCY=3" in dockerfile and "--workers" not in dockerfile


def test_the_worker_checks_its_own_process_and_the_database():
    assert compose()["services"]["worker"]["healthcheck"]["test"] == [
        "CMD",
        "python",
        "manage.py",
        "worker_health",
    ]
