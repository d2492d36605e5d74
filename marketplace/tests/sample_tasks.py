from django_tasks import task


@task()
def noop() -> None:
    """A task that does nothing, for counting the queue."""
