"""The console's pages, one module per area of work (each adds routes to the blueprint)."""

from hotline.web.console import (  # noqa: F401
    integrations,
    oversight,
    people,
    report_actions,
    reports,
    simulator,
)
