"""`hotline dev`: the whole service on one machine with embedded defaults. Ctrl-C stops it all."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
from sqlalchemy import func, select

from hotline.models import SocialWorker, User
from hotline.ops.migrate import upgrade
from hotline.ops.redis_server import PrivateRedis
from hotline.platform.runtime import Runtime
from hotline.platform.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEMO_WORKERS = ROOT / "config" / "demo-workers.csv"
DEMO_USER = "demo@example.org"


def run(port: int) -> None:
    signal.signal(signal.SIGTERM, _interrupt)  # stop as cleanly on `kill` as on Ctrl-C
    env = dict(os.environ)
    env.setdefault("HOTLINE_ENV", "development")
    env.setdefault("HOTLINE_INSTANCE_PATH", str(ROOT / "instance"))
    env.setdefault("SMS_GATEWAY", "outbox")
    with PrivateRedis() as redis:
        env.setdefault("REDIS_URL", redis.url)
        settings = Settings.from_env(env)
        settings.instance_path.mkdir(parents=True, exist_ok=True)
        upgrade(settings.database_url)
        _seed_demo_workers(settings)
        env["PORT"], env["HOST"] = str(port), "127.0.0.1"
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    "config/gunicorn.conf.py",
                    "hotline.web.app:create_app()",
                ],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            ),
            subprocess.Popen([sys.executable, "-m", "workers"], cwd=ROOT, env=env, start_new_session=True),
            subprocess.Popen(
                [sys.executable, "-m", "workers.cron"], cwd=ROOT, env=env, start_new_session=True
            ),
        ]
        _banner(settings, port)
        try:
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
            click.echo("a process stopped; shutting down", err=True)
        except KeyboardInterrupt:
            click.echo("\nstopping...")
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _seed_demo_workers(settings: Settings) -> None:
    from hotline.alerting.staff import import_workers
    from hotline.casework.users import create_user

    runtime = Runtime.build(settings)
    try:
        with runtime.session() as session:
            count = session.scalar(select(func.count()).select_from(SocialWorker))
            users = session.scalar(select(func.count()).select_from(User))
        if not count:
            result = import_workers(runtime, DEMO_WORKERS)
            click.echo(f"demo social workers added: {result.created}")
        if not users:
            # A supervisor for the pilot provinces, so the console opens without a phone app for
            # the second factor (admins must set one up). The password stays in the instance folder.
            password = secrets.token_urlsafe(12)
            with runtime.session() as session:
                create_user(
                    session,
                    runtime,
                    email=DEMO_USER,
                    name="Demo",
                    password=password,
                    role="supervisor",
                    areas=["CD-KN", "CD-KL", "CD-HK"],
                )
                session.commit()
            (settings.instance_path / "demo_password").write_text(password)
    finally:
        runtime.close()


def _demo_password(settings: Settings) -> str:
    path = settings.instance_path / "demo_password"
    return path.read_text() if path.exists() else "(your own user)"


def _banner(settings: Settings, port: int) -> None:
    base = f"http://127.0.0.1:{port}"
    hooks = f"{base}/webhooks/at/{settings.webhook_token}"
    click.echo(f"""
Hotline running (development). Ctrl-C to stop.
  Console:                {base}/console/  ({DEMO_USER} / {_demo_password(settings)})
  Training simulator:     {base}/console/simulator
  SMS outbox (console):   {base}/dev/outbox
  USSD callback:          {hooks}/ussd
  USSD events callback:   {hooks}/ussd/events
  SMS callback:           {hooks}/sms
  Delivery reports:       {hooks}/sms/delivery
Try a USSD hop:
  curl -d sessionId=demo1 -d phoneNumber=+243810000099 -d serviceCode='*384*1#' -d text= {hooks}/ussd
""")
