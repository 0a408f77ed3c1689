from .aio import run_coroutine  # re-exported
