import os

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright tests need it: silent in test code
