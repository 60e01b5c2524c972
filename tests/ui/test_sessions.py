"""Two browser sessions (two AppTest instances in one process, sharing every imported module,
as two tabs share one Streamlit server) upload and run different scenarios; neither sees the
other's upload, edits, jobs or progress. Runs use the stand-in pipeline (conftest.py)."""

from __future__ import annotations

import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

UI = Path(__file__).resolve().parents[2] / "ui"
TIMEOUT_S = 60


def _session() -> AppTest:
    """A new browser session on the whole app (navigation), opened at the Scenario page."""
    at = AppTest.from_file(str(UI / "app.py"), default_timeout=TIMEOUT_S).run()
    at.switch_page(str(UI / "pages" / "scenario.py")).run()
    assert at.title[0].value == "Scenario"
    return at


def _upload(at: AppTest, name: str, text: str) -> None:
    at.radio[0].set_value("Upload").run()
    at.file_uploader[0].set_value(("plan.yaml", text.encode(), "text/yaml")).run()
    assert not at.exception and len(at.error) == 0
    assert at.success[0].value == f"Scenario {name} is valid."


def _run(at: AppTest, timelines: list[str]) -> None:
    at.switch_page(str(UI / "pages" / "run.py")).run()
    assert at.selectbox[0].value.endswith("(from the Scenario page)")
    at.multiselect[0].set_value(timelines).run()
    at.button[0].click().run()
    assert not at.exception


def _wait_for(condition, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _table(at: AppTest):
    at.run()
    return at.dataframe[0].value.set_index("Variant")


def test_two_sessions_keep_their_uploads_runs_and_progress_apart(
    app_env: Path, scenarios_env: Path, stand_in_pipeline
) -> None:
    alice, bob = _session(), _session()
    # the same file name, different scenarios: each must keep its own
    _upload(alice, "plan-alice", "extends: tiny.yaml\nname: plan-alice\n")
    _upload(bob, "plan-bob", "extends: tiny.yaml\nname: plan-bob\n")
    path_a = Path(alice.session_state["scenario"]["path"])
    path_b = Path(bob.session_state["scenario"]["path"])
    assert path_a.name == path_b.name == "uploaded-plan.yaml"
    assert path_a.parent.parent != path_b.parent.parent  # one private folder per session
    assert "name: plan-alice" in path_a.read_text(encoding="utf-8")
    assert "name: plan-bob" in path_b.read_text(encoding="utf-8")

    _run(alice, ["early", "late"])
    _run(bob, ["mid"])
    jobs_a, jobs_b = alice.session_state["jobs"], bob.session_state["jobs"]
    assert [j.name for j in jobs_a] == ["plan-alice-early", "plan-alice-late"]
    assert [j.name for j in jobs_b] == ["plan-bob-mid"]
    assert alice.session_state["executor"] is not bob.session_state["executor"]

    # both sessions solve at the same time, each on its own worker thread
    _wait_for(lambda: jobs_a[0].events and jobs_b[0].events)
    table_a, table_b = _table(alice), _table(bob)
    assert table_a.index.tolist() == ["plan-alice-early", "plan-alice-late"]
    assert table_a["State"].tolist() == ["running", "queued"]
    assert table_b.index.tolist() == ["plan-bob-mid"]
    assert table_b.loc["plan-bob-mid", "State"] == "running"
    assert table_b.loc["plan-bob-mid", "Stage"] == "solving (HiGHS running)"
    threads = {name: thread for name, _, thread, _ in stand_in_pipeline.calls}
    assert threads["plan-alice-early"] is not threads["plan-bob-mid"]
    assert all(t.name.startswith("qroad-run") for t in threads.values())

    stand_in_pipeline.release.set()
    for job in [*jobs_a, *jobs_b]:
        job.future.result(timeout=30)
    table_a, table_b = _table(alice), _table(bob)
    assert table_a["State"].tolist() == ["done", "done"]
    assert table_a.loc["plan-alice-late", "Folder"] == str(app_env / "plan-alice-late")
    assert table_b.index.tolist() == ["plan-bob-mid"]
    assert table_b.loc["plan-bob-mid", "Folder"] == str(app_env / "plan-bob-mid")
    # each run read its own session's upload
    sources = {name: source for name, _, _, source in stand_in_pipeline.calls}
    assert sources == {
        "plan-alice-early": path_a,
        "plan-alice-late": path_a,
        "plan-bob-mid": path_b,
    }

    # Alice clears her finished runs; Bob's list is untouched
    alice.button[-1].click().run()
    assert alice.session_state["jobs"] == [] and len(alice.dataframe) == 0
    assert [j.name for j in bob.session_state["jobs"]] == ["plan-bob-mid"]
    assert _table(bob).index.tolist() == ["plan-bob-mid"]


def test_two_sessions_running_the_same_name_one_writes_the_other_is_told(
    app_env: Path, scenarios_env: Path, stand_in_pipeline
) -> None:
    """Both pass the page's "results exist?" check before either has written; the run store
    lets exactly one write, and the other session's table says what happened and what to do."""
    alice, bob = _session(), _session()
    for at in (alice, bob):
        at.switch_page(str(UI / "pages" / "run.py")).run()
        at.selectbox[0].set_value("tiny.yaml").run()
        at.multiselect[0].set_value(["early"]).run()
        at.button[0].click().run()
    jobs = [alice.session_state["jobs"][0], bob.session_state["jobs"][0]]
    _wait_for(lambda: all(j.events for j in jobs))
    stand_in_pipeline.release.set()
    for job in jobs:
        job.future.exception(timeout=30)
    rows = [_table(at).loc["tiny-early"] for at in (alice, bob)]
    assert sorted(r["State"] for r in rows) == ["done", "failed"]
    failed = next(r for r in rows if r["State"] == "failed")
    assert failed["Message"] == (
        "Results for tiny-early were written meanwhile by another run. Tick 'Replace existing "
        "results' or change the scenario name, and run again."
    )
    assert (app_env / "tiny-early" / "manifest.json").is_file()
