"""`hotline dev`: the whole service on one machine with embedded defaults. A process that exits is
started again (hotline/ops/supervisor.py); Ctrl-C stops it all."""

from __future__ import annotations

import ipaddress
import os
import secrets
import signal
import socket
import sys
from pathlib import Path

import click
from sqlalchemy import func, select

from hotline.models import SocialWorker, User
from hotline.ops.cli_env import write_dev_file
from hotline.ops.migrate import upgrade
from hotline.ops.redis_server import PrivateRedis
from hotline.ops.supervisor import Supervisor
from hotline.platform.runtime import Runtime
from hotline.platform.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEMO_WORKERS = ROOT / "config" / "demo-workers.csv"
DEMO_USER = "demo@example.org"
LOOPBACK = "127.0.0.1"


def run(port: int, host: str = LOOPBACK) -> None:
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
        _remember_settings(settings, env)
        env["PORT"], env["HOST"] = str(port), host
        gunicorn = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"]
        supervisor = Supervisor(
            {
                "web": [*gunicorn, "hotline.web.app:create_app()"],
                # AT's callbacks' own process, as the Procfile runs it, on the next port (the web
                # answers /webhooks/ too, for single-process use).
                "callbacks": [
                    *gunicorn,
                    "--bind",
                    f"{host}:{port + 1}",
                    "hotline.web.callbacks:create_app()",
                ],
                "worker": [sys.executable, "-m", "workers"],
                "cron": [sys.executable, "-m", "workers.cron"],
            },
            cwd=ROOT,
            env=env,
            echo=lambda line: click.echo(line, err=True),
        )
        supervisor.start()
        _banner(settings, port, host)
        try:
            supervisor.run()  # a process that exits is started again
        except KeyboardInterrupt:
            click.echo("\nstopping...")
        finally:
            supervisor.stop()


def _remember_settings(settings: Settings, env: dict[str, str]) -> None:
    """instance/dev.env: `.venv/bin/hotline users create ...` typed in this checkout finds the
    development settings without HOTLINE_ENV (hotline/ops/cli_env.py)."""
    if settings.is_development:
        write_dev_file(
            settings.instance_path,
            {
                "HOTLINE_ENV": "development",
                "HOTLINE_INSTANCE_PATH": str(settings.instance_path),
                "SMS_GATEWAY": env["SMS_GATEWAY"],
            },
        )


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


def shared_host_warning(host: str, port: int) -> str:
    """What `make dev HOST=0.0.0.0` prints: who can now reach the service, and how."""
    if host in (LOOPBACK, "localhost", "::1"):
        return ""
    address = _lan_address() if _every_interface(host) else host
    return (
        f"WARNING: listening on {host}, not only on this computer: any device on this network can open "
        f"the console, the training simulator, /dev/outbox and the callbacks, with the demo password "
        f"printed above. For a training room's own network only, never on a public or office one.\n"
        f"  From the phones and laptops of the room: http://{address}:{port}/console/simulator\n"
    )


def _lan_address() -> str:
    """This computer's address on its network (a UDP socket sends nothing to learn it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return str(probe.getsockname()[0])
        except OSError:
            return socket.gethostname()


def _banner(settings: Settings, port: int, host: str = LOOPBACK) -> None:
    base = f"http://127.0.0.1:{port}"
    # The callbacks process (Procfile: callbacks), as AT reaches it in production; the web
    # answers the same paths on its own port.
    hooks = f"http://127.0.0.1:{port + 1}/webhooks/at/{settings.webhook_token}"
    click.echo(f"""
Hotline running (development). Ctrl-C to stop.
  Console:                {base}/console/  ({DEMO_USER} / {_demo_password(settings)})
  Training simulator:     {base}/console/simulator
  SMS outbox (console):   {base}/dev/outbox
  AT's callbacks (their own process; the web port answers them too):
  USSD callback:          {hooks}/ussd
  USSD events callback:   {hooks}/ussd/events
  SMS callback:           {hooks}/sms
  Delivery reports:       {hooks}/sms/delivery
Try a USSD hop:
  curl -d sessionId=demo1 -d phoneNumber=+243810000099 -d serviceCode='*384*1#' -d text= {hooks}/ussd
""")
    warning = shared_host_warning(host, port)
    if warning:
        click.echo(warning, err=True)


def _every_interface(host: str) -> bool:
    """``0.0.0.0`` or ``::``: the service answers on every address of this computer."""
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False  # a name: one address
