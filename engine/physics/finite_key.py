"""Placeholder: being written."""


def decoy_bb84_finite(*args, **kwargs):
    raise NotImplementedError
