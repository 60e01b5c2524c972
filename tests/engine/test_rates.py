"""Tests of the key-rate table, plot and distance-grid parser (engine.rates)."""

import numpy as np
import pytest

from engine import physics
from engine.capacity import key_rate_per_system_bps
from engine.catalogue import load_catalogue
from engine.catalogue_rates import (
    CATALOGUE_COLUMNS,
    catalogue_rates_table,
    clock_hz,
    plot_catalogue_rates,
)
from engine.physics.common import plob, transmittance
from engine.presets import preset, preset_info
from engine.rates import (
    TABLE_COLUMNS,
    parse_distance_range,
    plob_bps,
    plot_rates,
    rates_table,
    resolve_preset,
)
from engine.scenario import milestone_years
from engine.tech_periods import technology_periods

LENGTHS = np.array([0.0, 50.0, 100.0, 200.0, 400.0])


def test_table_columns_and_per_pulse_times_rep_rate():
    """key_rate_bps = key_rate_per_pulse × repetition_rate_hz (500 kHz for cv_lodewyck_2007)."""
    table = rates_table(["cv_qkd"], LENGTHS)
    assert list(table.columns) == TABLE_COLUMNS
    assert len(table) == LENGTHS.size and set(table["preset"]) == {"cv_lodewyck_2007"}
    np.testing.assert_allclose(table["length_km"], LENGTHS)
    np.testing.assert_allclose(table["key_rate_bps"], table["key_rate_per_pulse"] * 5.0e5)
    np.testing.assert_allclose(
        table["key_rate_per_pulse"], physics.cv_qkd(LENGTHS, **preset("cv_lodewyck_2007"))
    )


def test_per_second_model_divides_by_rep_rate():
    """Repeater chains output bits/s; per-pulse = bits/s ÷ the preset's 1 MHz nominal clock."""
    table = rates_table(["repeater_chain"], LENGTHS)
    assert set(table["preset"]) == {"repeater_sangouard_multimode"}
    np.testing.assert_allclose(table["key_rate_per_pulse"], table["key_rate_bps"] / 1.0e6)
    assert table["key_rate_bps"].iloc[-1] > 0.0


def test_explicit_preset_and_wrong_preset():
    table = rates_table(["cv_qkd"], LENGTHS, preset="cv_ideal_homodyne")
    np.testing.assert_allclose(table["key_rate_bps"], table["key_rate_per_pulse"] * 1.0e9)
    with pytest.raises(ValueError, match="cv_ideal_homodyne"):
        rates_table(["cv_qkd"], LENGTHS, preset="micius_2017_downlink")


def test_default_preset_marked_in_yaml():
    assert resolve_preset("cv_qkd") == "cv_lodewyck_2007"
    assert resolve_preset("satellite_key_rate") == "micius_2017_downlink"


def test_unknown_model():
    with pytest.raises(ValueError):
        rates_table(["warp_drive"], LENGTHS)


def test_plob_above_repeaterless_curves():
    """PLOB (Pirandola et al. 2017) × the same rep rate bounds every repeaterless fibre model."""
    lengths = np.linspace(0.0, 600.0, 61)
    for preset_name in ("cv_lodewyck_2007", "cv_ideal_homodyne"):
        table = rates_table(["cv_qkd"], lengths, preset=preset_name)
        info = preset_info(preset_name)
        bound = plob_bps(
            lengths,
            alpha_db_per_km=info["params"]["alpha_db_per_km"],
            repetition_rate_hz=float(info["repetition_rate_hz"]),
        )
        assert np.all(table["key_rate_bps"].to_numpy() <= bound)


def test_plob_bps_by_hand():
    """100 km at 0.2 dB/km: η = 0.01, −log₂(0.99) = 0.0144996 b/use × 1 GHz."""
    assert plob_bps(100.0, alpha_db_per_km=0.2, repetition_rate_hz=1e9) == pytest.approx(
        1.44996e7, rel=1e-5
    )


def test_plot_writes_png(tmp_path):
    table = rates_table(["cv_qkd", "repeater_chain"], np.linspace(0.0, 500.0, 26))
    out = plot_rates(table, tmp_path / "sub" / "rates.png")
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000


def test_parse_distance_range():
    grid = parse_distance_range("0:600:5")
    assert grid.size == 121 and grid[0] == 0.0 and grid[-1] == 600.0
    np.testing.assert_allclose(parse_distance_range("10:20:3"), [10.0, 13.0, 16.0, 19.0])
    np.testing.assert_allclose(parse_distance_range("0:1:0.1")[-1], 1.0)
    np.testing.assert_allclose(parse_distance_range("5:5:1"), [5.0])


@pytest.mark.parametrize(
    "spec", ["0:600", "a:600:5", "0:600:0", "0:600:-5", "600:0:5", "-5:10:1", "0:inf:1", "0:1e9:1"]
)
def test_parse_distance_range_errors(spec):
    with pytest.raises(ValueError):
        parse_distance_range(spec)


# ---------------------------------------------------------------- the catalogue's rates
GRID = np.arange(0.0, 601.0, 25.0)


def test_catalogue_table_is_the_optimisers_rate():
    """The table is engine.capacity's rate per system for engine.tech_periods' row of that
    year (not a recomputation): bb84, tf and mdi_memory in 2035 under mid, to 1e-12."""
    table = catalogue_rates_table(
        GRID, timeline="mid", year=2035, techs=["bb84", "tf", "mdi_memory"]
    )
    assert list(table.columns) == CATALOGUE_COLUMNS
    rows = technology_periods(
        load_catalogue(),
        enabled=["bb84", "tf", "mdi_memory"],
        periods=[2035],
        milestone_years=milestone_years("mid"),
    )
    for row in rows.to_dict("records"):
        mine = table[table["tech"] == row["tech"]]
        assert mine["length_km"].max() <= row["max_length_km"]
        expected = key_rate_per_system_bps(row, mine["length_km"], alpha_db_per_km=0.2)
        np.testing.assert_allclose(mine["key_rate_bps"], expected, rtol=1e-12)
        np.testing.assert_allclose(mine["key_rate_per_use"] * clock_hz(row), expected)


def test_repeaterless_technologies_stay_below_plob_at_their_clock():
    """Point-to-point and MDI rates never beat −log₂(1−η) × their own clock (PLOB)."""
    table = catalogue_rates_table(GRID[1:], timeline="early", year=2045, techs=["bb84", "mdi"])
    bound = plob(transmittance(table["length_km"].to_numpy(), 0.2)) * table["clock_hz"]
    assert np.all(table["key_rate_bps"].to_numpy() <= bound.to_numpy())


def test_unavailable_technologies_are_zero_and_2025_bb84_is_below_the_record():
    """Mid timeline, 2025: MDI (2029) has no key yet; BB84 at 10 km stays below Toshiba's
    13.72 Mb/s over 2 dB (Yuan et al. JLT 36, 3427 (2018)), the anchor of its saturation cap."""
    table = catalogue_rates_table([5.0, 10.0], timeline="mid", year=2025, techs=["bb84", "mdi"])
    assert not table.loc[table["tech"] == "mdi", "available"].any()
    assert (table.loc[table["tech"] == "mdi", "key_rate_bps"] == 0).all()
    bb84 = table[table["tech"] == "bb84"].set_index("length_km")["key_rate_bps"]
    assert 1e6 < bb84[10.0] < 13.72e6


def test_catalogue_plot_writes_png(tmp_path):
    table = catalogue_rates_table(GRID, timeline="late", year=2045)
    for per_use in (False, True):
        out = plot_catalogue_rates(table, tmp_path / f"rates-{per_use}.png", per_use=per_use)
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_rates_catalogue_mode(tmp_path):
    from typer.testing import CliRunner

    from engine.cli import app

    out = tmp_path / "r.parquet"
    result = CliRunner().invoke(
        app,
        [
            "rates",
            "--year",
            "2035",
            "--techs",
            "tf,bb84",
            "--distance-km",
            "0:100:50",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    import pandas as pd

    table = pd.read_parquet(out)
    assert set(table["tech"]) == {"tf", "bb84"} and set(table["year"]) == {2035}
