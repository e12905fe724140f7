"""The stack under test: a private Redis, a fresh database, the fake AT and the Procfile's processes.

The processes are started by the tests' own helper (tests/support/processes.py), so the benchmark runs
exactly the commands of the Procfile, with gunicorn's config and worker count left as deployed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import func, select

from bench.minimal import Database
from hotline.models import Report
from hotline.ops.migrate import upgrade
from hotline.ops.redis_server import PrivateRedis
from hotline.platform.locations import default_locations
from hotline.platform.runtime import Runtime
from hotline.platform.settings import Settings
from tests.support.processes import Stack, procfile  # one way to start the Procfile: the tests'

ROOT = Path(__file__).resolve().parent.parent

TOKEN = "bench-webhook-token-0123456789abcdef"  # noqa: S105 (a throwaway stack's)
AT_KEY, AT_USERNAME = "bench-at-key", "hotline-bench"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PILOT_PLACES = 4  # places per pilot province the conversations report from (one worker each)
BARE_APP = "'bench.bare:create_app()'"
MINIMAL_APP = "'bench.minimal:create_app()'"


@dataclass(frozen=True)
class Variant:
    """One report conversation: its keys after the first (empty) hop, and where it reports."""

    keys: tuple[str, ...]
    location_code: str


def variants() -> list[Variant]:
    """French, report, sexual exploitation, not in danger now, province, place, then skips
    (place detail, people count), children: not sure, skip description, anonymous, no PIN, send."""
    found = []
    for number, province in enumerate(default_locations().provinces()[:3], start=1):
        for option, place in enumerate(province.places[:PILOT_PLACES], start=2):  # 1 = whole province
            keys = ("1", "1", "1", "2", str(number), str(option), "99", "99", "3", "99", "3", "99", "1")
            found.append(Variant(keys, place.code))
    return found


def workers_csv(path: Path) -> Path:
    """One French-speaking worker per reported place: with no roster, the place's worker is alerted."""
    rows = [
        f"Bench worker {i},+2438100{i:05d},fr,{v.location_code},worker"
        for i, v in enumerate(variants(), start=1)
    ]
    path.write_text("name,phone,language,areas,role\n" + "\n".join(rows) + "\n")
    return path


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_SERVER + "/postgres", connect_timeout=2):
            return True
    except Exception:  # not installed, not running, not trusting us: the benchmark skips it
        return False


@contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    """A fresh, migrated database for one run; a PostgreSQL one is dropped afterwards."""
    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        upgrade(url)
        yield url
        return
    import psycopg

    name = f"hotline_bench_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(PG_SERVER + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        upgrade(f"{PG_SERVER}/{name}")
        yield f"{PG_SERVER}/{name}"
    finally:
        with psycopg.connect(PG_SERVER + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fake_at(record: Path, delivery_callback: str) -> Iterator[str]:
    """tests/support/fake_at.py as its own process (as AT is), recording every SMS with its arrival time."""
    process = subprocess.Popen(  # noqa: S603 (our interpreter, our script, fixed arguments)
        [
            sys.executable,
            str(ROOT / "tests" / "support" / "fake_at.py"),
            "--port",
            "0",
            "--api-key",
            AT_KEY,
            "--username",
            AT_USERNAME,
            "--record",
            str(record),
            "--delivery-callback",
            delivery_callback,
        ],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        if "listening on" not in line:
            raise RuntimeError(f"the fake AT did not start: {line!r}")
        yield line.rsplit(" ", 1)[1].strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


class Hotline:
    """The running real stack: web, callbacks, worker and cron against one Redis, database and fake AT."""

    def __init__(self, stack: Stack, redis: PrivateRedis, runtime: Runtime, sent: Path) -> None:
        self.stack, self.redis, self.runtime, self.sent = stack, redis, runtime, sent

    @property
    def ussd_url(self) -> str:
        return f"{self.stack.callbacks_url}/webhooks/at/{TOKEN}/ussd"  # AT's callbacks' own process

    def report_count(self, prefix: str) -> int:
        with self.runtime.session() as session:
            return (
                session.scalar(
                    select(func.count())
                    .select_from(Report)
                    .where(Report.source_key.like(f"ussd:ATUid_bench{prefix}_%"))
                )
                or 0
            )

    def queue_empty(self) -> bool:
        return self.runtime.queue.queue.count == 0


def environment(database_url: str, redis_url: str, workdir: Path) -> dict[str, str]:
    return {
        "HOTLINE_ENV": "production",
        "HOTLINE_INSTANCE_PATH": str(workdir / "instance"),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "HOTLINE_WEBHOOK_TOKEN": TOKEN,
        "HOTLINE_PII_KEY": Fernet.generate_key().decode(),
        "SMS_GATEWAY": "africastalking",
        "AT_USERNAME": AT_USERNAME,
        "AT_API_KEY": AT_KEY,
        "LOG_LEVEL": "warning",
    }


def as_deployed(stack: Stack) -> Stack:
    """The tests run one web worker; the benchmark keeps gunicorn's configured count."""
    if "WEB_CONCURRENCY" in os.environ:
        stack.env["WEB_CONCURRENCY"] = os.environ["WEB_CONCURRENCY"]
    else:
        stack.env.pop("WEB_CONCURRENCY", None)
    return stack


@contextmanager
def real_stack(kind: str, workdir: Path, bundle_after: int = 3) -> Iterator[Hotline]:
    """Redis, a migrated database with one worker per reported place, the fake AT, the Procfile
    (AT's callbacks, the hops and the delivery reports, go to its callbacks process)."""
    with PrivateRedis() as redis, database(kind, workdir) as url:
        env = environment(url, redis.url, workdir)
        # The global SMS cap bounds spend in production; here it would hold the load's own alerts.
        env.update(
            HOTLINE_BUNDLE_AFTER=str(bundle_after),
            HOTLINE_SMS_CAP_HOUR="1000000",
            HOTLINE_SMS_CAP_DAY="10000000",
        )
        subprocess.run(  # noqa: S603
            [
                str(Path(sys.executable).parent / "hotline"),
                "workers",
                "import",
                str(workers_csv(workdir / "workers.csv")),
            ],
            env={**os.environ, **env},
            check=True,
            capture_output=True,
        )
        stack = as_deployed(Stack(env, kinds=("web", "callbacks", "worker", "cron"), log_dir=workdir))
        sent = workdir / "sent.jsonl"
        with fake_at(sent, f"{stack.callbacks_url}/webhooks/at/{TOKEN}/sms/delivery") as at_url:
            stack.env["AT_API_URL"] = at_url
            runtime = Runtime.build(Settings.from_env(env))
            try:
                with stack:
                    yield Hotline(stack, redis, runtime, sent)
            finally:
                runtime.close()


def cpu_roots(hotline: Hotline) -> dict[str, int]:
    """The real stack's process trees whose CPU a hop costs (the fake AT is not ours)."""
    roots = {kind: process.pid for kind, process in hotline.stack.processes.items()}
    if hotline.redis.process is not None:
        roots["redis"] = hotline.redis.process.pid
    return roots


def baseline_web(app: str) -> str:
    """The Procfile's web command serving another app (same gunicorn command and config)."""
    web = procfile()["web"]
    command = web.replace("'hotline.web.app:create_app()'", app)
    if app not in command:
        raise RuntimeError(f"the Procfile's web line changed shape: {web!r}")
    return command


@contextmanager
def bare_stack(workdir: Path) -> Iterator[Stack]:
    """The bare Flask app under the Procfile's web command and gunicorn config."""
    logs = workdir / "bare"
    logs.mkdir(exist_ok=True)
    env = {"LOG_LEVEL": "warning"}
    commands = {"web": baseline_web(BARE_APP)}
    with as_deployed(Stack(env, kinds=("web",), log_dir=logs, commands=commands)) as stack:
        yield stack


@contextmanager
def minimal_stack(kind: str, workdir: Path) -> Iterator[tuple[Stack, PrivateRedis]]:
    """bench/minimal.py under the same command and config, with its own Redis and a fresh database."""
    logs = workdir / "minimal"
    logs.mkdir(exist_ok=True)
    with PrivateRedis() as redis, database(kind, logs) as url:
        Database(url).create()
        env = {"LOG_LEVEL": "warning", "BENCH_DATABASE_URL": url, "BENCH_REDIS_URL": redis.url}
        commands = {"web": baseline_web(MINIMAL_APP)}
        with as_deployed(Stack(env, kinds=("web",), log_dir=logs, commands=commands)) as stack:
            yield stack, redis
