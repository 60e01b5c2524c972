"""Placeholder: being written."""


def mdi_qkd(*args, **kwargs):
    raise NotImplementedError
