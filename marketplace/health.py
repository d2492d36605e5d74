"""Health for load balancers and people.

``/api/health/live/``: the process answers (restart it if not). ``/api/health/ready/``:
it can serve, i.e. the database answers (take it out of the pool if not; Redis down
only degrades, see docs/deploy.md). ``/api/health/``: every part, for people.
"""

import logging
import shutil

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def database_status() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; report, don't crash
        logger.warning("Health: database unreachable: %s", exc)
        return {"ok": False, "vendor": connection.vendor, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def cache_status() -> dict:
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    if backend == "RedisCache":
        # django-redis is set to swallow errors, so ask Redis directly.
        from django_redis import get_redis_connection

        try:
            get_redis_connection("default").ping()
        except Exception as exc:
            logger.warning("Health: Redis unreachable: %s", exc)
            return {"ok": False, "backend": backend, "error": exc.__class__.__name__}
        return {"ok": True, "backend": backend}
    try:
        cache.set("health:probe", "1", 5)
        ok = cache.get("health:probe") == "1"
    except Exception:
        ok = False
    return {"ok": ok, "backend": backend}


def ocr_status() -> dict:
    import pytesseract

    if not shutil.which(pytesseract.pytesseract.tesseract_cmd):
        return {"available": False, "tesseract_version": None}
    try:
        version = str(pytesseract.get_tesseract_version())
    except Exception:
        return {"available": False, "tesseract_version": None}
    return {"available": True, "tesseract_version": version}


def task_queue_status() -> dict:
    from django_tasks_db.models import DBTaskResult

    try:
        return {"ok": True, "pending": DBTaskResult.objects.ready().count()}
    except Exception:
        return {"ok": False, "pending": None}


@never_cache
@require_GET
def health(request):
    database = database_status()
    cache_part = cache_status()
    tasks = task_queue_status() if database["ok"] else {"ok": False, "pending": None}
    ocr = ocr_status()
    if not database["ok"]:
        overall = "down"
    elif cache_part["ok"] and ocr["available"] and tasks["ok"]:
        overall = "ok"
    else:
        overall = "degraded"
    body = {
        "status": overall,
        "version": settings.APP_VERSION,
        "database": database,
        "cache": cache_part,
        "ocr": ocr,
        "tasks": tasks,
    }
    return JsonResponse(body, status=200 if database["ok"] else 503)


@never_cache
@require_GET
def live(request):
    return JsonResponse({"status": "alive", "version": settings.APP_VERSION})


@never_cache
@require_GET
def ready(request):
    database = database_status()
    return JsonResponse(
        {"status": "ready" if database["ok"] else "not ready", "database": database},
        status=200 if database["ok"] else 503,
    )
