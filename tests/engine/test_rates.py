"""Tests of the key-rate table, plot and distance-grid parser (engine.rates)."""

import numpy as np
import pytest

from engine import physics
from engine.presets import preset, preset_info
from engine.rates import (
    TABLE_COLUMNS,
    parse_distance_range,
    plob_bps,
    plot_rates,
    rates_table,
    resolve_preset,
)

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
