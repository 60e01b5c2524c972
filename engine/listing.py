"""``qroad list``: what is bundled — scenarios, networks, technologies, timelines."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from engine.catalogue import load_catalogue
from engine.paths import DATA_DIR, SCENARIOS_DIR
from engine.scenario import load_roadmap, read_yaml_mapping


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
    return table


def scenario_rows(folder: Path = SCENARIOS_DIR) -> list[tuple[str, str, str]]:
    """(file, name, description) of each bundled scenario."""
    rows = []
    for path in sorted(folder.glob("*.yaml")):
        raw = read_yaml_mapping(path)
        rows.append((path.name, str(raw.get("name", path.stem)), str(raw.get("description", ""))))
    return rows


def print_listing(console: Console) -> None:
    """Print the four listings as tables."""
    scenarios = _table("Scenarios (scenarios/)", "file", "name", "description")
    for row in scenario_rows():
        scenarios.add_row(*row)
    networks = _table("Network data (data/networks/)", "folder")
    for path in sorted(p for p in (DATA_DIR / "networks").iterdir() if p.is_dir()):
        networks.add_row(f"networks/{path.name}")
    catalogue = load_catalogue()
    techs = _table("Technologies (data/technologies.yaml)", "name", "phase", "label", "milestone")
    for name, tech in catalogue.technologies.items():
        techs.add_row(name, tech.phase, tech.label, tech.milestone)
    roadmap = load_roadmap()
    names = list(roadmap.timelines)
    timelines = _table("Timelines (data/roadmap.yaml): year per milestone", "milestone", *names)
    for milestone in roadmap.milestone_ids:
        timelines.add_row(milestone, *(str(roadmap.timelines[n][milestone]) for n in names))
    for table in (scenarios, networks, techs, timelines):
        console.print(table)
    console.print(
        "Topologies from topohub: network.topology: topohub:<key>, e.g. "
        "topohub:topozoo/Janetbackbone, topohub:sndlib/germany50"
    )
