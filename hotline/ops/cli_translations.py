"""``hotline translations``: a language's reviewed texts as a standard ``.po`` file, and back
(hotline.languages.po; the how-to is docs/translations.md)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from hotline.platform.settings import Settings


def translations_group(load_settings: Callable[[], Settings]) -> click.Group:
    """The group, with the ``hotline`` command's way of finding its settings (hotline.ops.cli)."""

    @click.group()
    def translations() -> None:
        """The reporter's and workers' texts per language: export and import reviewed .po files."""

    @translations.command("export")
    @click.argument("language")
    @click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, writable=True, path_type=Path),
        help="the file to write (default: standard output)",
    )
    def export_command(language: str, output: Path | None) -> None:
        """Write LANGUAGE's catalog with the corrections in force and the review states, as a .po
        file for Weblate, Pontoon or a translator's own tool, or to refresh the shipped catalog."""
        from hotline.languages.po import export
        from hotline.platform.i18n import LANGUAGES
        from hotline.platform.runtime import Runtime

        if language not in LANGUAGES:
            raise click.ClickException(f"LANGUAGE is one of {', '.join(LANGUAGES)}")
        runtime = Runtime.build(load_settings())
        try:
            with runtime.session() as session:
                text = export(session, runtime, language)
        finally:
            runtime.close()
        if output is None:
            click.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
            click.echo(f"{language} written to {output}", err=True)

    @translations.command("import")
    @click.argument("po_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--language", help="the file's language, if its header does not say it (Language:)")
    def import_command(po_file: Path, language: str | None) -> None:
        """Read a reviewed .po file back: its texts go through the same checks as in the console,
        and nothing changes unless every one passes. Each change is audited (actor "cli")."""
        from hotline.languages.po import ImportRefused, import_po
        from hotline.languages.review import announce
        from hotline.platform.runtime import Runtime

        runtime = Runtime.build(load_settings())
        try:
            with runtime.session() as session:
                try:
                    done = import_po(session, runtime, "cli", po_file, language)
                except ImportRefused as refused:
                    click.echo("rien n'a été importé / nothing was imported:", err=True)
                    for problem in refused.problems:
                        click.echo(f"  {problem}", err=True)
                    raise SystemExit(1) from None
                session.commit()
            told = announce(runtime)
        finally:
            runtime.close()
        click.echo(
            f"{done.lang}: {done.changed} changed, {done.unchanged} unchanged"
            + (f", {done.ignored} console texts ignored (not shown on a phone)" if done.ignored else "")
        )
        if not told:
            click.echo(
                "Redis could not be told: the running service uses the changes within 5 minutes", err=True
            )

    return translations
