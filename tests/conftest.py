"""Test collection settings."""

#: The vendoring smoke script runs in its own ``python -I -S`` process, never under pytest.
collect_ignore = ["vendoring"]
