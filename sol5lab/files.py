"""Writing files whole or not at all: every output goes to a temporary file, fsynced, then renamed.

Standard library only, so that what needs no Keras (``make submission``) runs without it.
"""

import contextlib
import json
import os
import tempfile


@contextlib.contextmanager
def atomic_path(path):
    """Give a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds.

    A reader never sees a half-written file, and an interrupted writer leaves the previous file
    (or none) in place. The temporary name keeps the final extension, because writers such as
    ``keras.Model.save`` and ``matplotlib.Figure.savefig`` choose the format from it.

    Parameters
    ----------
    path : str
        The final path; its folder is created if missing.

    Yields
    ------
    str
        The temporary path to write to.
    """
    directory, name = os.path.split(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    stem, extension = os.path.splitext(name)
    handle, temporary = tempfile.mkstemp(prefix=f".{stem}.", suffix=f".tmp{extension}", dir=directory)
    os.close(handle)
    try:
        yield temporary
        os.chmod(temporary, 0o644)  # mkstemp makes the file private; outputs are for everyone
        _flush_to_disk(temporary)  # so that a crash after the rename cannot leave an empty file
        os.replace(temporary, path)
        _flush_to_disk(directory)  # the rename itself
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _flush_to_disk(path):
    """fsync a file or a folder: what was written to it is on disk when this returns."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def variant(stem, quick_mode):
    """Return ``stem``, or ``stem + "_quick"`` for a quick run, whose outputs never replace a
    full run's: the one place every quick-mode file name is made.

    ``stem`` is a path without its extension (``results/demo``, ``models/denoising``).
    """
    return f"{stem}_quick" if quick_mode else stem


def write_text(path, text):
    """Write the string ``text`` to ``path`` as UTF-8, atomically."""
    with atomic_path(path) as temporary, open(temporary, "w", encoding="utf-8") as file:
        file.write(text)


def write_json(path, data):
    """Write ``data`` as indented JSON to ``path``, atomically."""
    with atomic_path(path) as temporary, open(temporary, "w", encoding="utf-8") as file:
        json.dump(data, file, indent=2, sort_keys=False)
        file.write("\n")


def read_json(path):
    """Read the JSON file at ``path``."""
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def save_figure(figure, path, **savefig_kwargs):
    """Save a matplotlib figure to ``path``, atomically."""
    with atomic_path(path) as temporary:
        figure.savefig(temporary, **savefig_kwargs)


def save_model(model, path):
    """Save a Keras model to ``path`` (a ``.keras`` file), atomically."""
    if not path.endswith(".keras"):
        raise ValueError(f"Keras 3 saves models as .keras files; got {path!r}.")
    with atomic_path(path) as temporary:
        model.save(temporary)


def finished_record(path, config):
    """Return the JSON record stored at ``path`` if its ``config`` equals ``config``, else None:
    how the resumable experiments know a result is already there and still valid."""
    if not os.path.exists(path):
        return None
    record = read_json(path)
    return record if record.get("config") == config else None
