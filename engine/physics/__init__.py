"""Key-rate models for QKD links: pure functions of numpy arrays.

Every model takes distances in km (or a transmittance for the bounds) as arrays or scalars
and returns float arrays of the same shape, in secret bits per channel use unless stated,
0 where no key can be made (never negative, never NaN). Each function's docstring names
its paper and equation. This package imports nothing else from the project.
"""

from engine.physics.bb84 import decoy_bb84
from engine.physics.common import binary_entropy, plob, tgw, transmittance
from engine.physics.cv import cv_qkd
from engine.physics.finite_key import decoy_bb84_finite
from engine.physics.mdi import mdi_qkd
from engine.physics.memory import memory_mdi
from engine.physics.repeater import (
    bbm92_key_fraction,
    repeater_chain,
    repeater_key_rate_bps,
    repeater_qec_chain,
    repeater_qec_key_rate_bps,
)
from engine.physics.satellite import satellite_key_rate
from engine.physics.satellite_pass import satellite_daily_key_bits, satellite_pass_key
from engine.physics.twin_field import tf_qkd

__all__ = [
    "bbm92_key_fraction",
    "binary_entropy",
    "cv_qkd",
    "decoy_bb84",
    "decoy_bb84_finite",
    "mdi_qkd",
    "memory_mdi",
    "plob",
    "repeater_chain",
    "repeater_key_rate_bps",
    "repeater_qec_chain",
    "repeater_qec_key_rate_bps",
    "satellite_daily_key_bits",
    "satellite_key_rate",
    "satellite_pass_key",
    "tf_qkd",
    "tgw",
    "transmittance",
]
