"""The console's pages, one module per area of work (each adds routes to the blueprint and its
entries to the menu, in this order)."""

from hotline.web.console import (  # noqa: F401
    account,
    integrations,
    languages,
    oversight,
    oversight_audit,
    people,
    people_oncall,
    people_policies,
    people_rosters,
    people_teams,
    people_users,
    report_actions,
    report_casework,
    report_exports,
    reports,
    simulator,
)
