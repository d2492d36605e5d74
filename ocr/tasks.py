"""Background tasks (Django's Tasks API; the database backend in production, so
``manage.py db_worker`` runs them, on as many hosts as needed)."""

from django_tasks import task

from ocr import services


@task()
def process_scan(scan_id: int) -> str:
    return services.scan_process(scan_id=scan_id)
