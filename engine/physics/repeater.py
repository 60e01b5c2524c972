"""Placeholder: being written."""


def bbm92_key_fraction(*args, **kwargs):
    raise NotImplementedError


def repeater_chain(*args, **kwargs):
    raise NotImplementedError
