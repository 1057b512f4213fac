from django_tasks import task

from anxin.carriers.sandbox import SandboxCarrier


@task()
def sandbox_push(tracking_number: str, status: str, at: str, event_id: str, attempt: int) -> str:
    return SandboxCarrier().push(tracking_number, status, at, event_id, attempt)


@task()
def sandbox_track(tracking_number: str, transit_at: str) -> None:
    SandboxCarrier().track(tracking_number, transit_at)
