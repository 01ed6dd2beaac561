"""The command group: every subcommand, and the help text's exit-code table."""

from __future__ import annotations

import click

from engagive_async import __version__
from engagive_async._cli.campaign import campaign
from engagive_async._cli.catalog import contents, templates
from engagive_async._cli.otel import start_otel
from engagive_async._cli.report import report
from engagive_async._cli.send import send_template

__all__ = ["cli"]

_EPILOG = """\b
Exit codes:
  0    every row sent (or sent by an earlier run)
  1    some rows failed, have an unknown fate or were not attempted;
       or the API refused a request
  2    bad input: usage, options, configuration, rows of the file,
       or a journal file that cannot be used
  130  interrupted (Ctrl-C); rerun the same command to continue
\b
The token comes from --token or ENGAGIVE_API_TOKEN, the base URL from
--base-url or ENGAGIVE_BASE_URL; neither is ever printed.

--otel exports traces and metrics by OTLP/HTTP to $OTEL_EXPORTER_OTLP_ENDPOINT
(default http://localhost:4318), as the other OTEL_* variables say.
ENGAGIVE_LOG=debug|info|warning prints the SDK's log on stderr.
"""


@click.group(epilog=_EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="engagive-async")
@click.option(
    "--otel",
    is_flag=True,
    help="Export traces and metrics by OTLP (configured by the OTEL_* variables).",
)
@click.pass_context
def cli(ctx: click.Context, otel: bool) -> None:
    """Engagive WhatsApp campaigns and templates from the command line."""
    if otel:
        ctx.call_on_close(start_otel())


cli.add_command(send_template)
cli.add_command(templates)
cli.add_command(contents)
cli.add_command(report)
cli.add_command(campaign)
