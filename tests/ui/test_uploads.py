"""Uploads: ui.uploads.check_upload on concrete bad files, and the Scenario page showing a
refused upload as an error while staying usable."""

from __future__ import annotations

import gc
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from engine.scenario import load_scenario
from ui.uploads import (
    MAX_UPLOAD_BYTES,
    check_upload,
    session_upload_dir,
    staged_name,
    write_new_file,
)

UI = Path(__file__).resolve().parents[2] / "ui"
SCENARIOS = UI.parent / "scenarios"
TIMEOUT_S = 60

# 10 anchors, each a list of 10 aliases of the previous one: 10**9 values when expanded
ALIAS_BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9)
)
EXTENDS_ALLOWED = (
    "base.yaml, beijing-shanghai.yaml, europe.yaml, germany50.yaml, nobel-eu.yaml, tiny.yaml, "
    "uk-backbone.yaml, uk-quantum-network.yaml, uk-sweep.yaml"
)
PATH_ALLOWED = (
    "a topohub: key (topohub:topozoo/Janetbackbone) or a path under data/ "
    "(networks/uk_quantum_network)"
)


@pytest.fixture
def uploads(tmp_path: Path) -> Path:
    folder = tmp_path / "uploads"
    folder.mkdir()
    return folder


def _errors(uploads: Path, name: str, data: bytes) -> tuple[str, ...]:
    result = check_upload(name, data, uploads, SCENARIOS)
    assert result.path is None
    assert list(uploads.iterdir()) == []  # a refused upload leaves nothing behind
    return result.errors


def test_oversize_upload_is_refused_before_reading(uploads: Path) -> None:
    data = b"name: big\n" + b"#" * MAX_UPLOAD_BYTES
    assert _errors(uploads, "big.yaml", data) == (
        "`big.yaml` is 1,048,586 bytes; uploads are limited to 1 MB (1,048,576 bytes). "
        "A scenario file is a few kB: check that this is the right file.",
    )
    assert MAX_UPLOAD_BYTES == 1024 * 1024


def test_non_utf8_and_binary_uploads_name_the_byte(uploads: Path) -> None:
    latin1 = "name: zurich\ndescription: Zürich ring\n".encode("latin-1")
    assert _errors(uploads, "zurich.yaml", latin1) == (
        "`zurich.yaml` is not UTF-8 text (byte 0xfc at line 2). "
        "Save it from your editor as UTF-8 text.",
    )
    utf16 = "name: x\n".encode("utf-16")
    assert _errors(uploads, "x.yml", utf16)[0].startswith(
        "`x.yml` is not UTF-8 text (byte 0xff at line 1)"
    )


def test_wrong_extension_and_empty_file(uploads: Path) -> None:
    assert _errors(uploads, "plan.txt", b"name: plan\n") == (
        "`plan.txt` is not a YAML file. Upload a scenario saved as .yaml or .yml.",
    )
    assert _errors(uploads, "plan.YAML.exe", b"name: plan\n")[0].startswith(
        "`plan.YAML.exe` is not a YAML file."
    )
    assert _errors(uploads, "empty.yaml", b"") == (
        "`empty.yaml` is empty. Upload a scenario with name, network, demand…",
    )


def test_alias_bomb_is_refused_without_expanding_it(uploads: Path) -> None:
    start_s = time.perf_counter()
    errors = _errors(uploads, "bomb.yaml", ALIAS_BOMB.encode())
    assert time.perf_counter() - start_s < 5.0  # expanding 10**9 values would take hours
    assert errors == (
        "The scenario: YAML document refused: the document expands to more than 200000 "
        "values (too many aliases or items). "
        "Allowed: at most 200000 values, 64 levels, no self-reference.",
    )


def test_list_syntax_error_and_python_tag(uploads: Path, tmp_path: Path) -> None:
    assert _errors(uploads, "list.yaml", b"- name: a\n- name: b\n") == (
        "The scenario: the document must be a mapping of keys. "
        "You gave `[{'name': 'a'}, {'name': 'b'}]`. "
        "Allowed: a mapping such as name: ..., network: ..., demand: ...",
    )
    assert _errors(uploads, "open.yaml", b"name: [unclosed\n") == (
        "The scenario: invalid YAML at line 2, column 1: expected ',' or ']', but got "
        "'<stream end>'. You gave `'name: [unclosed'`. Allowed: valid YAML syntax.",
    )
    marker = tmp_path / "pwned"
    tag = f"name: !!python/object/apply:os.system ['touch {marker}']\n".encode()
    (error,) = _errors(uploads, "tag.yaml", tag)
    assert "could not determine a constructor for the tag" in error
    assert not marker.exists()


def test_unknown_field_names_its_path(uploads: Path) -> None:
    data = b"extends: base.yaml\nname: up\nnetwork: {sites_csv: /etc/passwd}\n"
    assert _errors(uploads, "up.yaml", data) == (
        "**network.sites_csv**: unknown key (did you mean 'sites'?). You gave `'sites_csv'`. "
        "Allowed: keys: topology, sites, spans, fibre_loss_db_per_km, route_factor, "
        "bypass_loss_db, link_margin_db.",
    )


def test_paths_cannot_leave_data_and_bundled_scenarios(uploads: Path, tmp_path: Path) -> None:
    """Before the check, ``extends: ../../secret.yaml`` read a file beside the upload folder
    and the error showed its text; now the extends is refused and nothing of it is shown."""
    (tmp_path / "secret.yaml").write_text("SECRET-TOKEN-123\n", encoding="utf-8")
    errors = _errors(uploads, "x.yaml", b"extends: ../../secret.yaml\nname: x\n")
    assert errors == (
        "**extends**: an uploaded scenario can extend only a bundled scenario, named by its "
        f"file name. You gave `'../../secret.yaml'`. Allowed: {EXTENDS_ALLOWED}.",
    )
    assert _errors(uploads, "x.yaml", b"extends: /etc/passwd\n")[0].startswith(
        "**extends**: an uploaded scenario can extend only a bundled scenario"
    )
    for key, text in [
        ("network.topology", "/etc"),
        ("network.topology", "./uploaded-x"),
        ("network.topology", "networks/../../engine"),
        ("network.topology", "topohub:/etc/passwd"),
        ("demand.pairs", "../../pairs.csv"),
    ]:
        section, field = key.split(".")
        data = f"extends: base.yaml\nname: x\n{section}: {{{field}: '{text}'}}\n".encode()
        assert _errors(uploads, "x.yaml", data) == (
            f"**{key}**: an uploaded scenario can name only files under data/ or topohub: "
            f"networks. You gave `'{text}'`. Allowed: {PATH_ALLOWED}.",
        ), key


def test_accepted_upload_is_saved_and_resolves_bundled_extends(uploads: Path) -> None:
    data = b"extends: tiny.yaml\ndemand: {growth_per_year: 0.3}\n"
    result = check_upload("my plan (v2).yaml", data, uploads, SCENARIOS)
    assert result.errors == ()
    assert result.path is not None and result.path.name == "uploaded-my-plan-v2.yaml"
    assert result.path.parent.parent == uploads and result.path.read_bytes() == data
    scenario = load_scenario(result.path)
    assert scenario.name == "uploaded-my-plan-v2"  # named after the file: no name: key
    assert scenario.demand.growth_per_year == 0.3
    assert scenario.network == load_scenario(SCENARIOS / "tiny.yaml").network
    again = check_upload("my plan (v2).yaml", data, uploads, SCENARIOS)
    assert again.path == result.path and len(list(uploads.iterdir())) == 1


def test_staged_names_are_safe() -> None:
    assert staged_name("../../etc/evil name.yaml") == "uploaded-evil-name.yaml"
    assert staged_name("C:\\Users\\me\\plan.YML") == "uploaded-plan.yml"
    assert staged_name("..yaml") == "uploaded-scenario.yaml"


def test_session_upload_dirs_are_private_and_removed_with_the_session() -> None:
    state_a: dict = {}
    state_b: dict = {}
    dir_a, dir_b = session_upload_dir(state_a), session_upload_dir(state_b)
    assert dir_a != dir_b and dir_a.is_dir() and dir_b.is_dir()
    assert session_upload_dir(state_a) == dir_a  # once per session, not once per rerun
    del state_a
    gc.collect()
    assert not dir_a.exists() and dir_b.is_dir()


def test_write_new_file_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "mine.yaml"
    write_new_file(target, "name: mine\n")
    with pytest.raises(FileExistsError):
        write_new_file(target, "name: theirs\n")
    assert target.read_text(encoding="utf-8") == "name: mine\n"
    assert [p.name for p in tmp_path.iterdir()] == ["mine.yaml"]  # no temp file left


# --- the Scenario page ---------------------------------------------------------------------


def _scenario_page() -> AppTest:
    return AppTest.from_file(str(UI / "pages" / "scenario.py"), default_timeout=TIMEOUT_S)


def test_scenario_page_shows_broken_upload_and_stays_usable(scenarios_env: Path) -> None:
    at = _scenario_page().run()
    at.radio[0].set_value("Upload").run()
    assert {".yaml", ".yml", "application/yaml"} <= set(at.file_uploader[0].allowed_type)
    at.file_uploader[0].set_value(("broken.yaml", b"name: a\n\xff\xfe\x00", "text/yaml")).run()
    assert not at.exception
    assert at.error[0].value == (
        "broken.yaml cannot be used:\n\n"
        "`broken.yaml` is not UTF-8 text (byte 0xff at line 2). "
        "Save it from your editor as UTF-8 text.\n\n"
        "Fix the file and upload it again, or pick a bundled scenario."
    )
    assert len(at.success) == 0 and len(at.header) == 0  # nothing of a scenario is drawn

    # a name outside the picker's types (possible by bypassing the browser): an error, no crash
    at.file_uploader[0].set_value(("notes.txt", b"name: a\n", "text/plain")).run()
    assert not at.exception
    assert "`notes.txt` is not a YAML file." in at.error[0].value

    at.radio[0].set_value("Bundled").run()
    assert not at.exception and len(at.error) == 0
    assert at.selectbox[0].value == "tiny.yaml"
    assert at.success[0].value == "Scenario tiny is valid."
    assert at.session_state["scenario"]["name"] == "tiny"

    at.radio[0].set_value("Upload").run()
    good = b"extends: tiny.yaml\nname: my-plan\neconomics: {budget_eur_per_period: 2.0e6}\n"
    at.file_uploader[0].set_value(("plan.yaml", good, "text/yaml")).run()
    assert not at.exception and len(at.error) == 0
    assert at.success[0].value == "Scenario my-plan is valid."
    picked = Path(at.session_state["scenario"]["path"])
    assert picked.name == "uploaded-plan.yaml" and picked.read_bytes() == good
    assert at.number_input[-1].value == 2.0  # budget per period, M€


def test_scenario_page_edits_do_not_carry_over_to_another_scenario(scenarios_env: Path) -> None:
    """Widget keys were shared by all scenarios: a milestone year edited for tiny reappeared
    as an edit of the next scenario picked. Now each scenario file has its own keys."""
    at = _scenario_page().run()
    at.number_input[0].set_value(2040).run()  # first milestone year of tiny
    at.number_input[-2].set_value(25.0).run()  # demand growth of tiny, % per year
    lines = at.code[0].value.splitlines()
    assert "demand.growth_per_year=0.25" in lines and lines[0].startswith("timeline={")
    at.selectbox[0].set_value("uk-backbone.yaml").run()
    assert not at.exception
    assert at.code[0].value == "(no changes)"
    assert at.success[0].value == "Scenario uk-backbone is valid."
