"""Placeholder: being written."""


def memory_mdi(*args, **kwargs):
    raise NotImplementedError
