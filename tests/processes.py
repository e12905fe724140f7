"""Kept only for bench/stack.py, which puts tests/ on sys.path and imports ``processes``: the
process runner is tests/support/processes.py. Delete this file once bench/ imports
``tests.support.processes``.
"""

from tests.support.processes import Stack, procfile, wait_for

__all__ = ["Stack", "procfile", "wait_for"]
