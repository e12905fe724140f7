"""The worker process's runtime, built once on first use from the environment (never at import)."""

from __future__ import annotations

from hotline.platform.runtime import Runtime
from hotline.platform.settings import Settings

_runtime: Runtime | None = None


def runtime() -> Runtime:
    global _runtime
    if _runtime is None:
        _runtime = Runtime.build(Settings.from_env())
    return _runtime


def use(rt: Runtime | None) -> None:
    """Install a runtime (the worker entry point and in-process tests do this)."""
    global _runtime
    _runtime = rt


def boot() -> Runtime | None:
    """Start of a worker or cron process: settings, logging and the runtime, or None after
    printing a configuration error (the process then exits with status 2)."""
    import sys

    from hotline.platform.logs import configure_logging
    from hotline.platform.settings import SettingsError

    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return None
    configure_logging(settings.log_format)
    use(Runtime.build(settings))
    return _runtime
