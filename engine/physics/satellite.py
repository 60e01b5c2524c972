"""Placeholder: being written."""


def satellite_pass_key(*args, **kwargs):
    raise NotImplementedError
