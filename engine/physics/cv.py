"""Placeholder: being written."""


def cv_qkd(*args, **kwargs):
    raise NotImplementedError
