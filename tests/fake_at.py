"""Kept only for bench/stack.py, which starts ``python tests/fake_at.py``: the fake AT is
tests/support/fake_at.py (run it directly). Delete this file once bench/ starts that one.
"""

import runpy
from pathlib import Path

if __name__ == "__main__":
    runpy.run_path(str(Path(__file__).parent / "support" / "fake_at.py"), run_name="__main__")
