"""``templates list``, ``templates get`` and ``contents list``: read the account's catalogue."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import attrs
import click
from rich.markup import escape
from rich.table import Table

from engagive_async._cli.common import api_options, connect, print_json, run_async, stdout
from engagive_async._client import AccountClient
from engagive_async.models.templates import Template, TemplateContent

__all__ = ["contents", "templates"]

F = TypeVar("F", bound=Callable[..., Any])


def _account_options(command: F) -> F:
    command = click.option("--json", "as_json", is_flag=True, help="Print JSON.")(command)
    command = click.option("--account", required=True, help="The WhatsApp account id.")(command)
    return api_options(command)


async def _with_account(
    token: str | None, base_url: str | None, account: str, use: Callable[[AccountClient], Any]
) -> Any:
    async with connect(token, base_url) as client:
        return await use(client.account(account))


@click.group()
def templates() -> None:
    """The account's message templates."""


@templates.command("list")
@click.option("--search", help="Only templates whose name or code contains this.")
@click.option("--limit", type=click.IntRange(1), help="Stop after this many templates.")
@_account_options
def list_templates(
    search: str | None,
    limit: int | None,
    account: str,
    as_json: bool,
    token: str | None,
    base_url: str | None,
) -> None:
    """List templates, newest first."""

    async def fetch(acct: AccountClient) -> list[Template]:
        return [t async for t in acct.templates.list(search=search, max_items=limit)]

    found: list[Template] = run_async(lambda: _with_account(token, base_url, account, fetch))
    if as_json:
        print_json([attrs.asdict(t) for t in found])
        return
    table = Table()
    table.add_column("Code", no_wrap=True)
    for title in ("Name", "Category", "Status", "Id"):
        table.add_column(title)
    for t in found:
        values = (t.code, t.name, t.category_code, t.status, t.id)
        table.add_row(*(escape(str(v)) if v is not None else "" for v in values))
    stdout.print(table)
    stdout.print(f"{len(found):,} templates")


@templates.command("get")
@click.argument("code")
@_account_options
def get_template(
    code: str, account: str, as_json: bool, token: str | None, base_url: str | None
) -> None:
    """Show one template by its CODE."""

    async def fetch(acct: AccountClient) -> Template:
        return await acct.templates.get(code)

    found: Template = run_async(lambda: _with_account(token, base_url, account, fetch))
    if as_json:
        print_json(attrs.asdict(found))
        return
    table = Table("Field", "Value", show_header=False)
    for name, value in attrs.asdict(found).items():
        if name == "extra":
            for key, extra in value.items():
                table.add_row(escape(key), escape(json.dumps(extra, default=str)))
        elif value is not None:
            table.add_row(name, escape(str(value)))
    stdout.print(table)


@click.group()
def contents() -> None:
    """A template's per-language contents."""


@contents.command("list")
@click.argument("template_code")
@click.option("--search", help="Only contents whose text or language contains this.")
@_account_options
def list_contents(
    template_code: str,
    search: str | None,
    account: str,
    as_json: bool,
    token: str | None,
    base_url: str | None,
) -> None:
    """List the contents of template TEMPLATE_CODE, one per language."""

    async def fetch(acct: AccountClient) -> list[TemplateContent]:
        return [c async for c in acct.templates.contents(template_code).list(search=search)]

    found: list[TemplateContent] = run_async(lambda: _with_account(token, base_url, account, fetch))
    if as_json:
        print_json([attrs.asdict(c) for c in found])
        return
    table = Table("Id", "Language", "Draft", "Text")
    for c in found:
        draft = "" if c.is_draft is None else ("yes" if c.is_draft else "no")
        table.add_row(str(c.id or ""), escape(c.lang_code), draft, escape(c.text or ""))
    stdout.print(table)
    stdout.print(f"{len(found):,} contents")
