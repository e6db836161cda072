"""A temporary copy of the project's committed outputs, for the experiments' smallest runs.

Each experiment's tests run its smallest mode with its output folders pointed into this copy,
which holds every committed result, plot and answer. A quick or partial run must add files of its
own beside them (``*_quick``, ``*_partial``) and leave every committed one as it was.
"""

import hashlib
import os
import shutil

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def committed_outputs():
    """Paths, relative to the project's root, of the outputs a full run writes and git keeps."""
    paths = [name for name in os.listdir(ROOT) if name.endswith(".png") or name.startswith("answer_q")]
    for folder, _, names in os.walk(os.path.join(ROOT, "results")):
        paths += [os.path.relpath(os.path.join(folder, name), ROOT) for name in names]
    return sorted(path for path in paths if "_quick" not in path and "_partial" not in path)


def digest(path):
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()


class CommittedCopy:
    """The copy: ``root``, its ``results``, ``models`` and plot folders, and what changed in it."""

    def __init__(self, root):
        self.root = root
        self.results = os.path.join(root, "results")
        self.models = os.path.join(root, "models")
        for path in committed_outputs():
            os.makedirs(os.path.dirname(os.path.join(root, path)) or root, exist_ok=True)
            shutil.copyfile(os.path.join(ROOT, path), os.path.join(root, path))
        # what the folder held before (code copied there too) must stay as it was
        self.originals = {path: digest(os.path.join(root, path)) for path in self._files()}

    def changed(self):
        """The committed files that are no longer as they were, or are gone."""
        return [
            path
            for path, original in self.originals.items()
            if not os.path.exists(os.path.join(self.root, path))
            or digest(os.path.join(self.root, path)) != original
        ]

    def _files(self):
        found = []
        for folder, _, names in os.walk(self.root):
            found += [os.path.relpath(os.path.join(folder, name), self.root) for name in names]
        return found

    def added(self):
        """The files the run added (temporary files of unfinished writes included)."""
        return sorted(set(self._files()) - set(self.originals))

    def assert_only_variants_added(self, kind="quick"):
        """Assert that a run of ``kind`` changed no committed file and added only its own files
        (``*_quick``, ``*_partial``), none of them a temporary file left behind."""
        assert self.changed() == []
        added = self.added()
        assert added, "the run wrote nothing"
        assert [path for path in added if f"_{kind}" not in path or ".tmp" in path] == []


@pytest.fixture(scope="module")
def committed_copy(tmp_path_factory):
    """A fresh :class:`CommittedCopy` per test module."""
    return CommittedCopy(str(tmp_path_factory.mktemp("committed_copy")))
