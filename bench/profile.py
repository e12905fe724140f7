"""``python -m bench.profile [--seconds 15] [--db sqlite]``: where a web worker spends a USSD hop.

Starts the real stack, loads it with the hop run's phones and samples one gunicorn worker with
py-spy (the ``bench`` extra) into bench/profile-web.txt (collapsed stacks, for speedscope or
flamegraph.pl), then prints the functions holding the most samples, own and cumulative.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path

from bench import load, measure, stack
from bench.load import Load

HERE = Path(__file__).resolve().parent


def top(collapsed: Path, limit: int = 25) -> str:
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for line in collapsed.read_text().splitlines():
        frames, _, count = line.rpartition(" ")
        names = frames.split(";")
        own[names[-1]] += int(count)
        for name in set(names):
            total[name] += int(count)
    samples = sum(own.values()) or 1
    lines = [f"{samples} samples", "-- own time"]
    lines += [f"{100 * n / samples:5.1f}%  {name}" for name, n in own.most_common(limit)]
    lines += ["-- cumulative"]
    lines += [f"{100 * n / samples:5.1f}%  {name}" for name, n in total.most_common(limit)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--out", type=Path, default=HERE / "profile-web.txt")
    args = parser.parse_args(argv)
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    variants = stack.variants()
    with (
        tempfile.TemporaryDirectory(prefix="hotline-profile-") as workdir,
        stack.real_stack(args.db, Path(workdir), bundle_after=0) as hotline,
    ):  # as make bench
        load.run(Load(hotline.ussd_url, args.threads, 2, variants, "96"))
        # The callbacks process serves the hops: its arbiter, then its workers.
        web = measure.pythons(hotline.stack.processes["callbacks"].pid)
        sampler = threading.Thread(
            target=subprocess.run,
            args=(
                [
                    spy,
                    "record",
                    "--pid",
                    str(web[1]),
                    "--duration",
                    str(int(args.seconds)),
                    "--rate",
                    "250",
                    "--format",
                    "raw",
                    "--output",
                    str(args.out),
                    "--nonblocking",
                    "--gil",
                ],
            ),
            kwargs={"capture_output": True},
        )
        sampler.start()
        result = load.summary(load.run(Load(hotline.ussd_url, args.threads, args.seconds, variants, "99")))
        sampler.join()
    print(result)
    print(top(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
