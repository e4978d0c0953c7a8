"""Test collection settings."""

import atexit
import os
import shutil
import tempfile

#: The vendoring smoke script runs in its own ``python -I -S`` process, never under pytest.
collect_ignore = ["vendoring"]

# The holiday cache (engine/_holiday_cache.py) of this test run: never the user's own.
_CACHE = tempfile.mkdtemp(prefix="slaclock-test-cache-")
os.environ["SLACLOCK_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
