import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("ABR_DEBUG", "1")  # internal errors fail tests instead of being skipped
# the project cache of every project the tests lint (and the flake8 runs they start) lives
# here, not in the fixture folders of the checkout; tests of the cache choose their own
if "ABR_CACHE_DIR" not in os.environ:
    _cache = tempfile.mkdtemp(prefix="abr-test-cache-")
    os.environ["ABR_CACHE_DIR"] = _cache
    atexit.register(shutil.rmtree, _cache, True)
sys.path.insert(0, str(Path(__file__).parent))
