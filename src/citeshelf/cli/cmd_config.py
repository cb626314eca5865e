"""citeshelf config: the settings in the user's and the library's configuration file."""

from __future__ import annotations

import click

from .common import json_option


def _library_dir():
    from ..library import find_library

    obj = click.get_current_context().find_root().obj or {}
    return find_library(obj.get("library_option"))[0]


def _shown(value) -> str:
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


@click.group("config")
def command() -> None:
    """Show or change the configuration: a TOML file in your config folder and,
    optionally, citeshelf.toml in the library folder (what it sets wins).
    Environment variables ($VISUAL, $EDITOR, $CITESHELF_MAILTO) and options win
    over both.

    \b
    Settings:
      keys.formula   the key formula of new keys, e.g. [auth:lower][year]
      cite.style     the default style of cite and bibliography (apa, chicago-notes ...)
      cite.edition   the default edition of that style
      lookup.mailto  the contact address sent with identifier lookups
      editor         the editor 'edit' opens
      manuscripts    manuscripts whose cited keys 'rekey --all' leaves alone

    \b
    Examples:
      citeshelf config set keys.formula '[auth:lower]_[year]'
      citeshelf config set --library cite.style chicago-notes
      citeshelf config list
    """


@command.command("path")
@json_option
def path_command(as_json: bool) -> None:
    """Show where the two configuration files are, and which exist."""
    import json

    from ..ops.configuring import config_files

    files = config_files(_library_dir())
    if as_json:
        click.echo(json.dumps(files.to_json(), indent=2))
        return
    for label, path in (("user", files.user), ("library", files.library)):
        click.echo(f"{label}: {path}" + ("" if path.is_file() else " (not there)"))


@command.command("get")
@click.argument("name")
def get_command(name: str) -> None:
    """Print the value of the setting NAME in force (nothing if it is not set)."""
    from ..ops.configuring import show_setting

    value = show_setting(_library_dir(), name)
    if value is not None:
        click.echo(_shown(value))


@command.command("list")
@json_option
def list_command(as_json: bool) -> None:
    """List the settings in force and where each comes from."""
    import json

    from ..ops.configuring import config_for

    items = list(config_for(_library_dir()).items())
    if as_json:
        data = [{"name": n, "value": v, "from": s} for n, v, s in items]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for name, value, source in items:
        click.echo(f"{name} = {_shown(value)}  ({source})")


def _where_option(func):
    return click.option(
        "--library",
        "in_library",
        is_flag=True,
        help="Change the library's file (citeshelf.toml), not yours.",
    )(func)


@command.command("set")
@click.argument("name")
@click.argument("value")
@_where_option
def set_command(name: str, value: str, in_library: bool) -> None:
    """Set NAME to VALUE in your configuration file (--library: the library's).

    A list (manuscripts) is given comma-separated. The file keeps its comments.
    """
    from ..ops.configuring import change_setting

    done = change_setting(_library_dir(), name, value, where="library" if in_library else "user")
    click.echo(f"{name} = {_shown(done.value)}  ({done.path})")


@command.command("unset")
@click.argument("name")
@_where_option
def unset_command(name: str, in_library: bool) -> None:
    """Remove NAME from your configuration file (--library: the library's)."""
    from ..ops.configuring import change_setting

    done = change_setting(_library_dir(), name, None, where="library" if in_library else "user")
    click.echo(
        f"removed {name} from {done.path}" if done.changed else f"{name} is not set in {done.path}"
    )
