from celery import shared_task

from core.cycle_a import run_it


def helper():
    return None


@shared_task
def cyclic_task():
    run_it()
