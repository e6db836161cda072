"""The course's submission: ``ex5.tar``, holding a folder ``ex5/`` with exactly the files it expects.

Run ``make submission`` (or ``python -m sol5lab.submission``) from the project's folder. It refuses,
naming what is missing and the command that makes it, unless all six files are there. Standard
library only: it needs neither Keras nor the virtual environment.
"""

import argparse
import os
import sys
import tarfile

from sol5lab import files

#: The folder inside the tarball.
FOLDER = "ex5"

#: Every file the course expects in ``ex5/``, with the command of this project that makes it.
SUBMISSION_FILES = {
    "sol5.py": "it is the assignment's code; restore it with `git checkout sol5.py`",
    "README.md": "restore it with `git checkout README.md`",
    "answer_q1.txt": "make plots",
    "answer_q2.txt": "make tasks",
    "depth_plot_denoise.png": "make plots",
    "depth_plot_deblur.png": "make plots",
}


def missing_files(root):
    """Return the names of :data:`SUBMISSION_FILES` that are not files in ``root``, in order."""
    return [name for name in SUBMISSION_FILES if not os.path.isfile(os.path.join(root, name))]


def write_submission(root, output):
    """Write the course's tarball of the files in ``root``, atomically.

    Parameters
    ----------
    root : str
        The project's folder, holding every file of :data:`SUBMISSION_FILES`.
    output : str
        Path of the tarball to write (uncompressed tar); replaced whole if it exists.

    Returns
    -------
    list of str
        The members written: ``ex5/<name>`` for every file of :data:`SUBMISSION_FILES`.

    Raises
    ------
    FileNotFoundError
        If a file is missing; the message names each one and the command that makes it. Nothing
        is written then.
    """
    missing = missing_files(root)
    if missing:
        lines = "\n".join(f"  {name}: {SUBMISSION_FILES[name]}" for name in missing)
        raise FileNotFoundError(f"The submission needs these files, missing from {root}:\n{lines}")
    members = [f"{FOLDER}/{name}" for name in SUBMISSION_FILES]
    with (
        files.atomic_path(output) as temporary,
        tarfile.open(temporary, "w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for name, member in zip(SUBMISSION_FILES, members, strict=True):
            info = tar.gettarinfo(os.path.join(root, name), arcname=member)
            # Whose machine made it is nobody's business: the same files give the same members.
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mode = 0o644
            with open(os.path.join(root, name), "rb") as file:
                tar.addfile(info, file)
    return members


def main(argv=None):
    """Write the submission; a missing file is reported in one message, with exit status 2."""
    parser = argparse.ArgumentParser(prog="python -m sol5lab.submission", description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=".", help="the project's folder (default: the current one)")
    parser.add_argument("-o", "--output", help="the tarball to write (default: ROOT/ex5.tar)")
    args = parser.parse_args(argv)
    output = args.output or os.path.join(args.root, f"{FOLDER}.tar")
    try:
        members = write_submission(os.path.abspath(args.root), output)
    except FileNotFoundError as error:
        print(f"make submission: {error}", file=sys.stderr)
        return 2
    print(f"Wrote {output}: {', '.join(members)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
