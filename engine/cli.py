"""The ``qroad`` command line: validate, candidates, run, compare, list, rates.

Errors in user input print one line naming the file, key path, value and what is allowed,
and exit 2 without a traceback (``--debug`` shows one). Exit codes: 0 solved, 1 stopped at
the time limit with a feasible plan, 2 bad input, 3 infeasible or no plan found.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from engine.cli_common import (
    EXIT_BAD_INPUT,
    EXIT_NO_PLAN,
    EXIT_OK,
    EXIT_TIME_LIMIT,
    solver_overrides,
)
from engine.errors import QroadInputError
from engine.hedge.console import hedge_command
from engine.sweep.cli import sweep_command

if TYPE_CHECKING:
    from engine.pipeline import RunOutcome

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="qroad: plan where and when to place QKD trusted nodes, relays, memories, "
    "repeaters and ground stations, and what the roadmap costs.",
)
err_console = Console(stderr=True)
console = Console()
_state: dict[str, bool] = {"debug": False}

MAX_PROBLEMS_SHOWN = 50  # per file: a list of 20,000 bad items would bury the first one

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(func: F) -> F:
    """Turn input errors into one line on stderr and exit code 2 (traceback with --debug)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (QroadInputError, FileNotFoundError, FileExistsError, ValueError, KeyError) as exc:
            if _state["debug"]:
                raise
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
            err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper  # type: ignore[return-value]


def exit_code(outcomes: Sequence[RunOutcome]) -> int:
    """The exit code of ``qroad run``: the worst outcome decides, no plan (3) > time limit
    (1) > solved (0)."""
    if any(not o.has_plan for o in outcomes):
        return EXIT_NO_PLAN
    if any(o.status != "optimal" for o in outcomes):
        return EXIT_TIME_LIMIT
    return EXIT_OK


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
        str | None,
        typer.Option(
            help="Comma-separated engine.physics models, drawn at their presets "
            "instead of the catalogue."
        ),
    ] = None,
    distance_km: Annotated[
        str, typer.Option("--distance-km", help="start:stop:step in km.")
    ] = "0:600:5",
    preset: Annotated[str | None, typer.Option(help="Physics preset name (with --models).")] = None,
    timeline: Annotated[str, typer.Option(help="Timeline of the catalogue rates.")] = "mid",
    year: Annotated[int, typer.Option(help="Year of the catalogue rates.")] = 2030,
    techs: Annotated[
        str | None, typer.Option(help="Comma-separated catalogue technologies (default all).")
    ] = None,
    per_use: Annotated[
        bool, typer.Option("--per-use", help="Plot bits per channel use, one PLOB bound.")
    ] = False,
    fibre_loss: Annotated[float, typer.Option(help="Fibre loss (dB/km).")] = 0.2,
    out: Annotated[Path | None, typer.Option(help="Parquet file for the rate table.")] = None,
    plot: Annotated[Path | None, typer.Option(help="PNG plot with PLOB drawn.")] = None,
) -> None:
    """Key rate versus distance: the catalogue technologies of a timeline and year (the rates
    the optimiser uses), or physics models at their presets (--models)."""
    from engine.catalogue_rates import catalogue_rates_table, plot_catalogue_rates
    from engine.rates import parse_distance_range, plot_rates, rates_table

    lengths_km = parse_distance_range(distance_km)
    if models is not None:
        table = rates_table([m.strip() for m in models.split(",") if m.strip()], lengths_km, preset)
        name = "model"
    else:
        chosen = [t.strip() for t in techs.split(",") if t.strip()] if techs else None
        table = catalogue_rates_table(
            lengths_km, timeline=timeline, year=year, techs=chosen, alpha_db_per_km=fibre_loss
        )
        name = "tech"
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        table.to_parquet(out, index=False)
        console.print(f"wrote {len(table)} rows to {out}")
    if plot is not None:
        plot.parent.mkdir(parents=True, exist_ok=True)
        if models is not None:
            plot_rates(table, plot)
        else:
            plot_catalogue_rates(table, plot, per_use=per_use, alpha_db_per_km=fibre_loss)
        console.print(f"wrote plot {plot}")
    if out is None and plot is None:
        reach = table[table["key_rate_bps"] > 0].groupby(name)["length_km"].max()
        for key, length_km in reach.items():
            console.print(f"{key}: key up to {length_km:g} km")


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
            shown = problems[:MAX_PROBLEMS_SHOWN]
            if len(problems) > len(shown):
                shown.append(f"{path}: {len(problems) - len(shown)} more problems not shown")
            for line in shown:
                err_console.print(f"[bold red]error:[/] {line}", highlight=False, soft_wrap=True)
        else:
            console.print(f"[green]ok[/] {path}")
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command("run")
@user_errors
def run_command(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")],
    out: Annotated[Path, typer.Option(help="Folder for the run folders.")] = Path("results"),
    set_: SetOption = None,
    timeline: TimelineOption = None,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Solver time limit (s).")
    ] = None,
    mip_gap: Annotated[float | None, typer.Option(help="Relative MIP gap to stop at.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing run folder.")] = False,
    save_lp: Annotated[bool, typer.Option(help="Also write the model as model.lp.")] = False,
    quiet: Annotated[bool, typer.Option(help="Print only problems.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Solve scenarios and write DIR/<scenario name>/ (Parquet tables + manifest.json)."""
    from engine.run_console import print_time_budget, run_all

    if _state["debug"]:
        print_time_budget(err_console)
    outcomes = run_all(
        scenarios,
        out_dir=out,
        overrides=[*(set_ or []), *solver_overrides(time_limit, mip_gap)],
        timeline=timeline,
        overwrite=overwrite,
        save_lp=save_lp,
        quiet=quiet,
        as_json=as_json,
        console=console,
    )
    raise typer.Exit(exit_code(outcomes))


@app.command()
@user_errors
def candidates(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: Annotated[Path, typer.Option(help="Parquet file of links x periods.")] = Path(
        "candidates.parquet"
    ),
    set_: SetOption = None,
    timeline: TimelineOption = None,
) -> None:
    """Write the candidate links with their key rate per system in every period."""
    from engine.prepare import prepare
    from engine.scenario import load_scenario

    prepared = prepare(load_scenario(scenario, overrides=set_ or (), timeline=timeline))
    data = prepared.model_data
    table = data.links.merge(data.capacity, on="link").sort_values(["link", "period"])
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_parquet(out, index=False)
    counts = data.links.groupby("tech").size().to_dict()
    console.print(f"wrote {len(data.links)} candidate links ({counts}) to {out}")


@app.command()
@user_errors
def compare(
    runs: Annotated[list[Path], typer.Argument(help="Run folders (DIR/<scenario>).")],
) -> None:
    """Side by side: cost and unserved key apart, served share by trust class, phase shares,
    equipment counts."""
    from engine.compare import phase_shares, roadmap_table, summary_table, unserved_table

    for title, table in (
        ("Runs (cost: capex + opex - residual value, discounted)", summary_table(runs)),
        ("Unserved key (bit/s) per period", unserved_table(runs)),
        ("Share of served key by roadmap phase", phase_shares(runs)),
        ("Roadmap: served key by phase, installed equipment, discounted cost", roadmap_table(runs)),
    ):
        console.rule(title)
        text = table.to_string(index=False, float_format=lambda v: f"{v:,.3g}")
        console.print(text, soft_wrap=True, highlight=False)


@app.command("list")
def list_command() -> None:
    """Bundled scenarios, networks, technologies and timelines."""
    from engine.listing import print_listing

    print_listing(console)


@app.command()
@user_errors
def report(
    runs: Annotated[list[Path], typer.Argument(help="Run folders (DIR/<scenario>).")],
    out: Annotated[Path, typer.Option(help="HTML file to write.")] = Path("report.html"),
) -> None:
    """One self-contained HTML report (works offline) comparing the runs; paths that are
    not run folders (a sweep's folder, an earlier report) are skipped, each with a message."""
    from engine.report import build_report, split_run_dirs

    run_dirs, skipped = split_run_dirs(list(runs))
    for path, why in skipped:
        err_console.print(f"skipped {path}: {why}", highlight=False, soft_wrap=True)
    if not run_dirs:
        raise ValueError("no run folders among the paths given (each needs a manifest.json)")
    path = build_report(run_dirs, out)
    console.print(f"wrote {path}")


app.command("sweep")(user_errors(sweep_command))
app.command("hedge")(user_errors(hedge_command))


def run() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
