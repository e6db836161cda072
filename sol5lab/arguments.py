"""Argument types for the command lines: a bad value is an argparse error naming the option.

``argparse`` turns the ``ArgumentTypeError`` of a ``type=`` function into a usage message and
exit status 2, with no traceback.
"""

import argparse


def positive_int(text):
    """Parse an int of at least 1 (``--max-images``, ``--depths``, budgets)."""
    return _int_at_least(text, 1)


def non_negative_int(text):
    """Parse an int of at least 0 (``--seeds``)."""
    return _int_at_least(text, 0)


def positive_float(text):
    """Parse a number above 0 (``--budget-minutes``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text}")
    return value


def _int_at_least(text, least):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an int >= {least}, got {text!r}") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"expected an int >= {least}, got {value}")
    return value
