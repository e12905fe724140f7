"""The ``hotline`` command: database, social workers, and the local development stack."""

from __future__ import annotations

from pathlib import Path

import click

from hotline.ops.cli_translations import translations_group
from hotline.platform.settings import Settings, SettingsError


def load_settings() -> Settings:
    """The settings of the shell, else of the settings file found (hotline/ops/cli_env.py)."""
    from hotline.ops.cli_env import PRODUCTION_FILE, environment

    env = environment()
    try:
        return Settings.from_env(env)
    except SettingsError as exc:
        hint = (
            ""
            if env.get("HOTLINE_ENV")
            else f" (HOTLINE_ENV is not set and no settings file was found: on a server, {PRODUCTION_FILE} "
            "as docs/deploy.md says; in a checkout, run `make dev` once, it writes instance/dev.env)"
        )
        raise click.ClickException(f"configuration error: {exc}{hint}") from None


@click.group()
def main() -> None:
    """SMS/USSD hotline against human trafficking (DR Congo)."""


main.add_command(translations_group(load_settings))


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the schema to the latest migration."""
    from hotline.ops.migrate import upgrade

    settings = load_settings()
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    click.echo("database is up to date")


@main.group()
def workers() -> None:
    """Social workers."""


@workers.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def workers_import(csv_file: Path) -> None:
    """Import or update social workers from CSV_FILE (name,phone,language,areas,role)."""
    from hotline.alerting.staff import StaffImportError, import_workers
    from hotline.ops.cli_runtime import import_all_or_nothing

    result = import_all_or_nothing(
        load_settings(), lambda runtime: import_workers(runtime, csv_file), StaffImportError
    )
    click.echo(f"{result.created} created, {result.updated} updated")


@main.group()
def users() -> None:
    """Console users."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    type=click.Choice(["admin", "supervisor", "operator", "viewer", "translator"]),
    default="admin",
    show_default=True,
)
@click.option("--areas", default="", help="location codes separated by ';' (not for admins or translators)")
@click.option("--languages", default="", help="for a translator: the languages reviewed, e.g. 'kg;ln'")
@click.password_option(help="asked twice when not given")
def users_create(email: str, name: str, role: str, areas: str, languages: str, password: str) -> None:
    """Create a console user (the first admin, for instance)."""
    from hotline.casework.users import UserError, create_user
    from hotline.platform.i18n import LANGUAGES
    from hotline.platform.runtime import Runtime

    chosen = [code.strip() for code in languages.split(";") if code.strip()]
    if unknown := [code for code in chosen if code not in LANGUAGES]:
        raise click.ClickException(f"unknown language {', '.join(unknown)}: one of {', '.join(LANGUAGES)}")

    runtime = Runtime.build(load_settings())
    try:
        with runtime.session() as session:
            user = create_user(
                session,
                runtime,
                email=email,
                name=name,
                password=password,
                role=role,
                areas=[a.strip() for a in areas.split(";") if a.strip()],
            )
            user.languages = chosen
            session.commit()
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        runtime.close()
    click.echo(
        f"user {email} created ({role})"
        + ("; the second factor is set up at the first login" if role == "admin" else "")
    )


@main.group()
def rosters() -> None:
    """On-call rosters."""


@rosters.command("import")
@click.argument("json_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def rosters_import(json_file: Path) -> None:
    """Replace the rosters of the areas in JSON_FILE (see config/rosters.example.json)."""
    from hotline.alerting.roster_import import RosterFileError, import_rosters
    from hotline.ops.cli_runtime import import_all_or_nothing

    count = import_all_or_nothing(
        load_settings(), lambda runtime: import_rosters(runtime, json_file), RosterFileError
    )
    click.echo(f"{count} roster(s) imported")


@main.group()
def keys() -> None:
    """Encryption keys for personal data (HOTLINE_PII_KEY)."""


@keys.command("rotate")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 10000))
def keys_rotate(batch_size: int) -> None:
    """Re-encrypt and re-hash every stored number with the first key (idempotent, resumable)."""
    from hotline.platform.runtime import Runtime
    from hotline.privacy.keyrotation import rotate

    runtime = Runtime.build(load_settings())
    try:
        result = rotate(runtime, batch_size)
    finally:
        runtime.close()
    for table, count in result.reencrypted.items():
        rehashed = f", {result.rehashed[table]} re-hashed" if table in result.rehashed else ""
        click.echo(f"{table}: {count} re-encrypted{rehashed}")
    for table in ("reports", "sms_opt_outs"):
        click.echo(f"{table}: {result.rehashed[table]} re-hashed")
    click.echo(
        f"reporter fingerprints without a stored number (anonymous): "
        f"{result.unverifiable_fingerprints}; reports with a PIN: {result.pins} "
        "(a PIN made under an old key moves to the new one when next typed right)"
    )
    if result.old_key_needed:
        click.echo(
            f"{result.unreadable} value(s) cannot be read with the configured keys: "
            "keep every old key until they are found"
        )
        raise SystemExit(1)
    click.echo(
        "no row needs an old key any more: it can be removed from HOTLINE_PII_KEY "
        "(anonymous fingerprints and PINs above made under it will no longer match)"
    )


@main.group()
def retention() -> None:
    """Removal of personal data from finished reports (HOTLINE_RETENTION_DAYS)."""


@retention.command("run")
def retention_run() -> None:
    """Remove personal data from reports finished longer ago than the retention period."""
    from hotline.platform.runtime import Runtime
    from hotline.privacy.retention import purge_due

    runtime = Runtime.build(load_settings())
    try:
        purged = purge_due(runtime)
    finally:
        runtime.close()
    click.echo(f"{purged} report(s) lost their personal data")


@main.command()
@click.option("--send-test-sms", "number", metavar="NUMBER", help="also send one SMS to NUMBER")
def check(number: str | None) -> None:
    """Check the configuration, database, Redis and SMS gateway; print AT's callback URLs. Levels
    nobody would be alerted at (now or in the next 7 days) are printed as WARN: they never fail it."""
    from hotline.ops.checks import callback_urls, run_checks, send_test_sms
    from hotline.platform.runtime import Runtime

    settings = load_settings()
    click.echo(f"ok    configuration ({settings.env}, gateway {settings.sms_gateway})")
    runtime = Runtime.build(settings)
    try:
        results = list(run_checks(runtime))
        if number:
            results.append(send_test_sms(runtime, number))
    finally:
        runtime.close()
    for result in results:
        label = "FAIL" if not result.ok else "WARN" if result.warning else "ok"
        click.echo(f"{label:<5} {result.name}: {result.detail}")
    urls = callback_urls(settings)
    click.echo(
        "\nCallback URLs for the Africa's Talking dashboard:"
        if urls
        else "\nSet HOTLINE_PUBLIC_URL (e.g. https://hotline.example.org) to see AT's callback URLs."
    )
    for label, url in urls:
        click.echo(f"  {label}: {url}")
    if not all(result.ok for result in results):
        raise SystemExit(1)


@main.group()
def voice() -> None:
    """Phone calls to on-call workers (HOTLINE_VOICE): their recorded prompts."""


@voice.command("prompts")
@click.option(
    "--language", "languages", multiple=True, type=click.Choice(["fr", "en"]), help="repeat; default both"
)
def voice_prompts(languages: tuple[str, ...]) -> None:
    """Generate the French and English recordings and the place names with espeak-ng
    (apt-get install espeak-ng lame), into hotline/static/voice/."""
    from hotline.alerting.call_script import RECORDINGS
    from hotline.ops.voice_prompts import PromptError, generate
    from hotline.platform.i18n import default_translations
    from hotline.platform.locations import default_locations

    try:
        written = generate(default_translations(), default_locations(), languages or ("fr", "en"))
    except PromptError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{len(written)} recordings written under {RECORDINGS}")


@voice.command("checklist")
@click.argument("language")
def voice_checklist(language: str) -> None:
    """The recordings a field team makes for LANGUAGE (ln, kg, sw, lua...): each file, what to
    say (in French and English), and whether it is there already."""
    from hotline.alerting.call_script import RECORDINGS, checklist
    from hotline.platform.i18n import LANGUAGES, default_translations

    if language not in LANGUAGES:
        raise click.ClickException(f"LANGUAGE is one of {', '.join(LANGUAGES)}")
    rows = checklist(language, default_translations())
    for path, french, english, present in rows:
        click.echo(f"[{'x' if present else ' '}] {path}: {french} / {english}")
    done = sum(present for *_, present in rows)
    click.echo(f"{done} of {len(rows)} recorded, under {RECORDINGS}; mono MP3, a few seconds each")


@main.group("api-clients")
def api_clients() -> None:
    """Partner systems calling the REST API (/api/v1)."""


@api_clients.command("create")
@click.option("--name", required=True, help="who calls, e.g. 'Primero Kwilu'")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice(["reports:read", "reports:write", "reports:personal", "workers:read"]),
)
@click.option("--area", "areas", multiple=True, help="location code; repeat; none: every area")
def api_clients_create(name: str, scopes: tuple[str, ...], areas: tuple[str, ...]) -> None:
    """Create a client and print its token (shown this once only)."""
    from hotline.ops.cli_runtime import in_transaction
    from hotline.partners.api_clients import create_client

    client, token = in_transaction(
        load_settings(),
        lambda session, runtime: create_client(session, runtime, name, list(scopes), list(areas)),
    )
    click.echo(f"client {client.id} created ({', '.join(client.scopes)})")
    click.echo(f"token (shown once, keep it in the partner's secret store): {token}")


@api_clients.command("list")
def api_clients_list() -> None:
    """List clients: id, name, scopes, areas, last use, revoked or not."""
    from hotline.ops.cli_runtime import in_transaction
    from hotline.partners.api_clients import list_clients

    for c in in_transaction(load_settings(), lambda session, _runtime: list_clients(session)):
        state = f"revoked {c.revoked_at:%Y-%m-%d}" if c.revoked_at else "active"
        used = f"{c.last_used_at:%Y-%m-%d %H:%M}" if c.last_used_at else "never"
        click.echo(
            f"{c.id:>4}  {c.name}  [{' '.join(c.scopes)}]  "
            f"areas: {' '.join(c.areas) or 'all'}  {c.token_hint}…  last used: {used}  {state}"
        )


@api_clients.command("revoke")
@click.argument("client_id", type=int)
def api_clients_revoke(client_id: int) -> None:
    """Revoke a client's token at once."""
    from hotline.ops.cli_runtime import in_transaction
    from hotline.partners.api_clients import revoke_client

    in_transaction(load_settings(), lambda session, runtime: revoke_client(session, runtime, client_id))
    click.echo(f"client {client_id} revoked")


@main.command()
@click.option("--port", default=8000, show_default=True, help="port of the web server")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="address to listen on; 0.0.0.0 lets a training room's phones and laptops in (with a warning)",
)
def dev(port: int, host: str) -> None:
    """Run everything locally: web, worker, a private Redis, SQLite and the local SMS outbox."""
    from hotline.ops.devserver import run

    run(port, host)
