import os
import sys
from pathlib import Path

os.environ.setdefault("ABR_DEBUG", "1")  # internal errors fail tests instead of being skipped
sys.path.insert(0, str(Path(__file__).parent))
