"""The console's pages, one module per area of work (each adds routes to the blueprint)."""

from hotline.web.console import integrations, oversight, people, reports, simulator  # noqa: F401
