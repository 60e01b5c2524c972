"""The bad-scenario corpus: every file in bad/ holds one mistake, described in its header:

# mistake: what is wrong
# path: the key path the error must name (empty for whole-file problems)
# value: text the error must show as the bad value
# allowed: text of the "allowed" hint the error must show
"""

from pathlib import Path

import pytest

from engine.errors import QroadInputError
from engine.scenario import load_scenario, validate_file

BAD = Path(__file__).parent / "bad"
FILES = sorted(BAD.glob("*.yaml"))


def _header(path: Path) -> dict[str, str]:
    head: dict[str, str] = {}
    for line in path.read_bytes().decode("latin-1").splitlines()[:4]:
        key, _, value = line.removeprefix("# ").partition(":")
        head[key] = value.removeprefix(" ")
    return head


def test_corpus_has_at_least_25_distinct_mistakes():
    mistakes = {_header(p)["mistake"] for p in FILES}
    assert len(mistakes) == len(FILES) >= 25


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_bad_file_error_names_file_path_value_and_allowed(path: Path):
    head = _header(path)
    assert set(head) == {"mistake", "path", "value", "allowed"}, head
    with pytest.raises(QroadInputError) as info:
        load_scenario(path)
    lines = validate_file(path)
    assert str(info.value) == lines[0]
    where = f": {head['path']}: " if head["path"] else ": "
    matching = [
        line
        for line in lines
        if path.name in line
        and where in line
        and head["value"] in line
        and head["allowed"] in line.partition("allowed: ")[2]
    ]
    assert matching, f"{path.name}: no error line names {head}: {lines}"


def test_missing_scenario_file_is_named():
    missing = BAD / "does_not_exist.yaml"
    with pytest.raises(QroadInputError) as info:
        load_scenario(missing)
    assert info.value.file == str(missing)
    assert "file not found" in str(info.value)
    assert "allowed: an existing YAML file" in str(info.value)


def test_validate_file_reports_every_problem_one_line_each(tmp_path: Path):
    path = tmp_path / "many.yaml"
    path.write_text(
        "horizon: {period_years: 0}\n"
        "network: {topology: topohub:topozoo/Janetbackbone}\n"
        "economics: {discount_rate: -1}\n"
        "solver: {strategy: greedy}\n"
    )
    lines = validate_file(path)
    assert len(lines) == 3
    assert [line.split(": ")[1] for line in lines] == [
        "horizon.period_years",
        "economics.discount_rate",
        "solver.strategy",
    ]
    assert all("\n" not in line for line in lines)
