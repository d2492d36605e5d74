"""Docker cannot run here, so the compose file is checked as data against settings."""

import re
from pathlib import Path

import yaml

BASE_DIR = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def env_names_settings_read() -> set[str]:
    source = (BASE_DIR / "marketplace" / "settings.py").read_text()
    return set(re.findall(r'env_(?:str|bool|int|list|json|required)\(\s*"([A-Z_]+)"', source))


def test_the_stack_has_its_four_services():
    assert set(compose()["services"]) == {"db", "redis", "web", "worker"}


def test_database_and_redis_are_the_pinned_majors_with_healthchecks():
    services = compose()["services"]
    assert services["db"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    for name in ("db", "redis", "web"):
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
