"""Placeholder: being written."""


def decoy_bb84(*args, **kwargs):
    raise NotImplementedError
