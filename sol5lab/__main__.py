"""``python -m sol5lab``: the command of :mod:`sol5lab.cli`."""

import logging
import os
import sys

# Before Keras loads (sol5lab.cli loads it only once the arguments are checked): TensorFlow's
# start-up chatter is not for a user's terminal.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
logging.getLogger("tensorflow").setLevel(logging.ERROR)

from sol5lab import cli  # noqa: E402


def main():
    """The console script ``sol5lab``."""
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
