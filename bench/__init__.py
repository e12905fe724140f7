"""`make bench`: the real stack under load, measured against a bare Flask app in the same run.

Run ``python -m bench`` (``--quick`` for a short run); results go to bench/results.json and
bench/results.md. See bench/NOTES.md for what was profiled and changed.
"""
