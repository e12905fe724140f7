"""The console's pages, one module per area of work (each adds routes to the blueprint)."""

from . import integrations, oversight, people, reports, simulator  # noqa: F401
