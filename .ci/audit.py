"""`make audit`: bandit over our code, then pip-audit over the installed dependencies.

- bandit fails on any finding that is not in .ci/bandit-baseline.json; every finding in the
  baseline is justified in docs/security-findings.md (none is of medium or high severity).
- pip-audit fails on a known vulnerability. When it cannot reach its vulnerability service (this
  project's CI machines reach package registries only), it says so loudly and does not fail:
  "nothing found" would be a lie, and so would a red build for a network error.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BASELINE = ROOT / ".ci" / "bandit-baseline.json"


def bandit() -> int:
    print("== bandit (hotline flows workers; baseline: docs/security-findings.md)", flush=True)
    return subprocess.call([str(BIN / "bandit"), "-q", "-r", "hotline", "flows", "workers",
                            "-b", str(BASELINE)], cwd=ROOT)


def pip_audit() -> int:
    print("== pip-audit", flush=True)
    run = subprocess.run([str(BIN / "pip-audit"), "--skip-editable", "--format", "json",
                          "--progress-spinner", "off"], cwd=ROOT, capture_output=True, text=True)
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"WARNING: pip-audit could not run its audit (exit {run.returncode}): {last[:200]}\n"
              "WARNING: the dependencies were NOT audited; run `make audit` where PyPI and OSV "
              "are reachable.")
        return 0
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    for dep in vulnerable:
        ids = ", ".join(v["id"] for v in dep["vulns"])
        print(f"VULNERABLE: {dep['name']} {dep.get('version', '')}: {ids}")
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    print(f"pip-audit: {audited} of {len(dependencies)} dependencies audited, "
          f"{len(vulnerable)} with known vulnerabilities")
    if skipped and not vulnerable:
        print(f"WARNING: {len(skipped)} dependencies could not be looked up (first: "
              f"{skipped[0]['skip_reason'][:120]}); the vulnerability service is probably "
              "unreachable from here. They were NOT audited.")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(bandit() | pip_audit())
