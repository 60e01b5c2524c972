"""The ``qroad`` command line: validate, candidates, run, compare, list, rates.

Errors in user input print one line naming the file, key path, value and what is allowed,
and exit 2 without a traceback (``--debug`` shows one). Exit codes: 0 solved, 1 stopped at
the time limit with a feasible plan, 2 bad input, 3 infeasible or no plan found.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from engine.errors import QroadInputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="qroad: plan where and when to place QKD trusted nodes, relays, memories, "
    "repeaters and ground stations, and what the roadmap costs.",
)
err_console = Console(stderr=True)
console = Console()
_state: dict[str, bool] = {"debug": False}

EXIT_OK, EXIT_TIME_LIMIT, EXIT_BAD_INPUT, EXIT_NO_PLAN = 0, 1, 2, 3

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(func: F) -> F:
    """Turn input errors into one line on stderr and exit code 2 (traceback with --debug)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (QroadInputError, FileNotFoundError, ValueError, KeyError) as exc:
            if _state["debug"]:
                raise
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
            err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper  # type: ignore[return-value]


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Global options."""
    _state["debug"] = debug


@app.command()
@user_errors
def rates(
    models: Annotated[
        str, typer.Option(help="Comma-separated engine.physics models.")
    ] = "decoy_bb84,mdi_qkd,tf_qkd",
    distance_km: Annotated[
        str, typer.Option("--distance-km", help="start:stop:step in km.")
    ] = "0:600:5",
    preset: Annotated[
        str | None, typer.Option(help="Physics preset name (default: each model's).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Parquet file for the rate table.")] = None,
    plot: Annotated[Path | None, typer.Option(help="PNG plot with PLOB drawn.")] = None,
) -> None:
    """Key rate versus distance for physics models: a long table and a log-scale plot."""
    from engine.rates import parse_distance_range, plot_rates, rates_table

    lengths_km = parse_distance_range(distance_km)
    table = rates_table([m.strip() for m in models.split(",") if m.strip()], lengths_km, preset)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        table.to_parquet(out, index=False)
        console.print(f"wrote {len(table)} rows to {out}")
    if plot is not None:
        plot.parent.mkdir(parents=True, exist_ok=True)
        plot_rates(table, plot)
        console.print(f"wrote plot {plot}")
    if out is None and plot is None:
        reach = table[table["key_rate_bps"] > 0].groupby("model")["length_km"].max()
        for model, length_km in reach.items():
            console.print(f"{model}: key up to {length_km:g} km")


SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a scenario value: key.path=value (repeatable)."),
]
TimelineOption = Annotated[
    str | None, typer.Option(help="Technology timeline: early, mid or late.")
]


@app.command()
def validate(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")],
    set_: SetOption = None,
    timeline: TimelineOption = None,
) -> None:
    """Check scenario files: every problem on one line naming file, key path and value."""
    from engine.scenario import validate_file

    failed = 0
    for path in scenarios:
        problems = validate_file(path, overrides=set_ or (), timeline=timeline)
        if problems:
            failed += 1
            for line in problems:
                err_console.print(f"[bold red]error:[/] {line}", highlight=False, soft_wrap=True)
        else:
            console.print(f"[green]ok[/] {path}")
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


def run() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
