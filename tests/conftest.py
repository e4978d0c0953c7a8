"""Test collection settings."""

import os
import tempfile

#: The vendoring smoke script runs in its own ``python -I -S`` process, never under pytest.
collect_ignore = ["vendoring"]

# The holiday cache (engine/_holiday_cache.py) of this test run: never the user's own.
os.environ["SLACLOCK_CACHE_DIR"] = tempfile.mkdtemp(prefix="slaclock-test-cache-")
