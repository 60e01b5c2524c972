"""Pure helpers of the Scenario and Run pages: edits → ``--set`` overrides, friendly errors.

The pages collect what a strategist changes; these functions turn it into the
``key.path=value`` strings that ``engine.scenario.load_scenario(overrides=...)`` applies,
so the app edits scenarios exactly as the CLI's ``--set`` does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from engine.errors import QroadInputError
from engine.names import TRUST_CLASSES

TIMELINES: tuple[str, ...] = ("early", "mid", "late")
MAX_SHOWN_CHARS = 120  # a bad value longer than this is cut in messages


def widget_key(scenario_path: Path, name: str) -> str:
    """A widget key private to one scenario file: edits made to one scenario never carry
    over to the next one picked (Streamlit keeps a keyed widget's value across reruns)."""
    return f"{scenario_path.parent.name}/{scenario_path.name}:{name}"


def yaml_value(value: Any) -> str:
    """A value as one line of YAML flow style (JSON is valid YAML; None → null)."""
    return json.dumps(value, separators=(", ", ": "))


def timeline_overrides(
    chosen: str, years: Mapping[str, int], named_years: Mapping[str, int]
) -> tuple[list[str], str | None]:
    """Overrides and ``timeline=`` argument for a named timeline with edited milestone years.

    Unedited years → no override, ``timeline=chosen``. Any edit → the whole mapping as one
    ``timeline={...}`` override (a mapping dates every milestone it names; naming all keeps
    the chosen timeline's other years) and ``timeline=None``.
    """
    if {k: int(v) for k, v in years.items()} == {k: int(v) for k, v in named_years.items()}:
        return [], chosen
    mapping = {k: int(v) for k, v in years.items()}
    return [f"timeline={yaml_value(mapping)}"], None


def technology_overrides(
    edited: Mapping[str, Mapping[str, float]], base: Mapping[str, Mapping[str, float]]
) -> list[str]:
    """``technologies.overrides.<tech>.<field>=value`` for every field that differs from base."""
    out = []
    for tech, fields in edited.items():
        for field, value in fields.items():
            if value is None or (isinstance(value, float) and value != value):
                continue
            old = base.get(tech, {}).get(field)
            if old is None or abs(float(value) - float(old)) > 1e-12 * max(1.0, abs(old)):
                out.append(f"technologies.overrides.{tech}.{field}={float(value)!r}")
    return out


def trust_mix_override(
    rows: list[Mapping[str, Any]], base: Mapping[int, Mapping[str, float]]
) -> list[str]:
    """One ``demand.trust_mix={...}`` override from rows (year + shares in %), if changed."""
    mix: dict[int, dict[str, float]] = {}
    for row in rows:
        year = row.get("year")
        if year is None or year != year:
            continue
        mix[int(year)] = {t: round(float(row.get(t) or 0.0) / 100.0, 6) for t in TRUST_CLASSES}
    old = {int(y): {t: round(float(v), 6) for t, v in s.items()} for y, s in base.items()}
    old = {y: {t: old[y].get(t, 0.0) for t in TRUST_CLASSES} for y in old}
    if mix == old:
        return []
    return [f"demand.trust_mix={yaml_value({str(y): s for y, s in sorted(mix.items())})}"]


def scalar_override(path: str, value: Any, base: Any) -> list[str]:
    """``path=value`` when ``value`` differs from ``base``."""
    if value == base:
        return []
    return [f"{path}={yaml_value(value)}"]


def friendly_errors(err: QroadInputError) -> list[str]:
    """Each problem of a failed load in plain words: where, what, what you gave, what fits."""
    lines = []
    for e in getattr(err, "all_errors", None) or [err]:
        where = f"**{e.path}**" if e.path else "The scenario"
        message, allowed = e.message, e.allowed
        if "should match pattern" in message:
            message = "contains characters that are not allowed"
            allowed = "letters, digits, '-', '_' and '.', starting with a letter or digit"
        text = f"{where}: {message}."
        if e.value is not None:
            shown = repr(e.value).replace("`", "'")  # a backtick would end the code span
            if len(shown) > MAX_SHOWN_CHARS:
                shown = shown[:MAX_SHOWN_CHARS] + "…"
            text += f" You gave `{shown}`."
        if allowed:
            text += f" Allowed: {allowed}" + ("" if allowed.endswith(".") else ".")
        lines.append(text)
    return lines


def scenario_yaml(resolved: Mapping[str, Any], name: str) -> str:
    """The resolved scenario as a standalone YAML file (no ``extends``), named ``name``."""
    data = {k: v for k, v in resolved.items() if k != "extends"}
    data["name"] = name
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def pinned_milestones(years: Mapping[str, int], named_years: Mapping[str, int]) -> dict[str, int]:
    """The milestones the user moved away from the chosen named timeline (id → year)."""
    return {k: int(v) for k, v in years.items() if int(v) != int(named_years.get(k, v))}


def variant_overrides(
    kept: list[str], pinned: Mapping[str, int], timeline: str, name: str
) -> tuple[list[str], str | None]:
    """Overrides and ``timeline=`` argument of the edited scenario run under ``timeline``:
    every edit kept (costs, demand, budget, …) and every milestone the user moved stays
    where it was put; the other milestones take ``timeline``'s years. Named ``name``."""
    named = None
    if pinned:
        from engine.scenario import milestone_years

        named = {**milestone_years(timeline), **{k: int(v) for k, v in pinned.items()}}
    overrides = [o for o in kept if not o.startswith(("name=", "timeline="))]
    overrides.append(f"name={yaml_value(name)}")
    if named is None:
        return overrides, timeline
    return [*overrides, f"timeline={yaml_value(named)}"], None


def override_rows(overrides: list[str]) -> list[dict[str, str]]:
    """The ``--set`` overrides as rows a reader scans: setting and new value (long values,
    such as a whole timeline, shown key by key)."""
    rows = []
    for line in overrides:
        path, _, raw = line.partition("=")
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        if isinstance(value, dict):
            rows += [{"Setting": f"{path}.{k}", "Your value": _plain(v)} for k, v in value.items()]
        else:
            rows.append({"Setting": path, "Your value": _plain(value)})
    return rows


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    return "none" if value is None else str(value)


def cost_problems(edited: Mapping[str, Mapping[str, float]]) -> list[str]:
    """What is wrong with edited costs, in words: a negative capex, a learning rate outside
    0–100 % per year. An empty list means they can be used."""
    problems = []
    for tech, fields in edited.items():
        capex = fields.get("capex_eur")
        if capex is not None and capex == capex and capex < 0:
            problems.append(
                f"{tech}: capex per system {capex / 1e3:,.1f} k€ is negative; a price "
                "cannot be below 0 (type the new price, e.g. 50 for 50 k€)."
            )
        rate = fields.get("learning_rate_per_year")
        if rate is not None and rate == rate and not 0 <= rate < 1:
            problems.append(
                f"{tech}: learning {100 * rate:g} % per year is outside 0–100 %; it is how "
                "much cheaper the systems get each year."
            )
    return problems
