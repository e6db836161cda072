"""Writing files whole or not at all: every output goes to a temporary file, fsynced, then renamed.

Standard library only, so that what needs no Keras (``make submission``) runs without it.
"""

import contextlib
import glob
import json
import os
import tempfile


@contextlib.contextmanager
def atomic_path(path):
    """Give a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds.

    A reader never sees a half-written file, and an interrupted writer leaves the previous file
    (or none) in place. The temporary name keeps the final extension, because writers such as
    ``keras.Model.save`` and ``matplotlib.Figure.savefig`` choose the format from it, and holds
    the writer's process id: a writer killed before it could clean up (SIGKILL, power loss)
    leaves its temporary file behind, and the next write of the same path removes it.

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
    remove_stale_temporaries(path)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{stem}.{os.getpid()}.", suffix=f".tmp{extension}", dir=directory
    )
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


def remove_stale_temporaries(path):
    """Remove the temporary files that killed writers of ``path`` left beside it.

    A temporary file of :func:`atomic_path` is stale when the process named in it is gone; one
    whose process still runs is another writer's, at work, and is left alone.

    Returns
    -------
    list of str
        The paths removed.
    """
    directory, name = os.path.split(os.path.abspath(path))
    stem, extension = os.path.splitext(name)
    removed = []
    for candidate in glob.glob(
        os.path.join(glob.escape(directory), f".{glob.escape(stem)}.*.tmp{extension}")
    ):
        pid = os.path.basename(candidate)[len(stem) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _process_alive(int(pid)):
            with contextlib.suppress(FileNotFoundError):  # another writer may remove it first
                os.remove(candidate)
                removed.append(candidate)
    return removed


def _process_alive(pid):
    """Whether a process with this id runs on this machine."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _flush_to_disk(path):
    """fsync a file or a folder: what was written to it is on disk when this returns."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


#: The kinds of run, by the suffix of the files they write: only a full run writes the files that
#: are committed; a quick run (the presubmission's tiny budget) and a partial run (the full budget
#: on a subset: fewer images, tasks, depths or seeds) write beside them, never over them.
RUN_SUFFIXES = {"full": "", "quick": "_quick", "partial": "_partial"}


def run_kind(quick_mode, partial=False):
    """Return the kind of a run: ``"quick"`` in quick mode, else ``"partial"`` or ``"full"``.

    Parameters
    ----------
    quick_mode : bool
        The run trains on the presubmission's tiny budget.
    partial : bool, optional
        The run covers a subset of what a full run does (``--max-images``, fewer seeds, ...).
    """
    return "quick" if quick_mode else "partial" if partial else "full"


def variant(stem, kind):
    """Return the path a run of ``kind`` writes for ``stem``: the one place these names are made.

    Parameters
    ----------
    stem : str
        A path without its extension (``results/demo``, ``models/denoising``).
    kind : {"full", "quick", "partial"} or bool
        A key of :data:`RUN_SUFFIXES`, as :func:`run_kind` returns; a bool is ``quick_mode``.

    Returns
    -------
    str
        ``stem`` for a full run, ``stem + "_quick"`` or ``stem + "_partial"`` otherwise.
    """
    if isinstance(kind, bool):
        kind = run_kind(kind)
    if kind not in RUN_SUFFIXES:
        raise ValueError(f"kind must be one of {sorted(RUN_SUFFIXES)} or a bool, got {kind!r}.")
    return stem + RUN_SUFFIXES[kind]


def write_text(path, text):
    """Write the string ``text`` to ``path`` as UTF-8, atomically."""
    with atomic_path(path) as temporary, open(temporary, "w", encoding="utf-8") as file:
        file.write(text)


def write_json(path, data):
    """Write ``data`` as indented JSON to ``path``, atomically."""
    with atomic_path(path) as temporary, open(temporary, "w", encoding="utf-8") as file:
        json.dump(data, file, indent=2, sort_keys=False)
        file.write("\n")


class CorruptFileError(ValueError):
    """A file exists but cannot be read as what it should be: truncated, overwritten, damaged.

    A ``ValueError``, whose message names the file and what to do about it.
    """


def read_json(path):
    """Read the JSON file at ``path``.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    CorruptFileError
        If the file is not valid UTF-8 JSON, naming it.
    """
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CorruptFileError(
            f"{path} is not valid JSON ({error}): it is damaged or was cut short; delete it and "
            f"rerun the command that writes it."
        ) from None


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
    how the resumable experiments know a result is already there and still valid.

    A damaged record (not JSON, not a JSON object) is reported and counts as missing, so the
    run that writes it is done again: that is how these experiments recover.
    """
    if not os.path.exists(path):
        return None
    try:
        record = read_json(path)
    except CorruptFileError as error:
        print(f"{error} Running it again.")
        return None
    return record if isinstance(record, dict) and record.get("config") == config else None
