"""Placeholder: being written."""


def tf_qkd(*args, **kwargs):
    raise NotImplementedError
