"""The depth experiment killed with SIGKILL in the middle of each of its writes, then rerun.

The smoke run of the issue that found the fault (``--quick --depths 1 --seeds 0 --max-images
1``) runs in a copy of the project with its default paths: every run is killed at a later write
than the one before (the model, its record, the run's results, the summary), and the last one
finishes. The end state must be the uninterrupted run's, with no temporary file left and no
committed file touched.
"""

import os
import shutil
import subprocess
import sys

from sol5lab import files, store
from sol5lab.experiments import depth as depth_experiment

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SMOKE = ["--tasks", "deblurring", "--quick", "--depths", "1", "--seeds", "0", "--max-images", "1"]
RUN = "deblurring_depth1_seed0_quick"

# Run the experiment, dying (SIGKILL: nothing cleaned up) at the write named in $KILL_AT:
# "archive" while the model's archive is written, before its record is in it; a file name just
# before the rename that would put that file in place.
SCRIPT = """
import os, signal, sys, zipfile
kill_at = os.environ["KILL_AT"]
def die():
    os.kill(os.getpid(), signal.SIGKILL)
write_member = zipfile.ZipFile.writestr
def writestr(self, name, *args, **kwargs):
    if kill_at == "archive":
        die()
    return write_member(self, name, *args, **kwargs)
zipfile.ZipFile.writestr = writestr
rename = os.replace
def replace(source, target, *args, **kwargs):
    if os.path.basename(target) == kill_at:
        die()
    return rename(source, target, *args, **kwargs)
os.replace = replace
from sol5lab.experiments import depth
depth.main(sys.argv[1:])
"""


def project_copy(folder, committed_copy_class):
    """Copy the code and the committed outputs; the datasets are read from the project."""
    for name in ("sol5.py", "sol5_utils.py"):
        shutil.copyfile(os.path.join(ROOT, name), folder / name)
    code = shutil.ignore_patterns("__pycache__")
    shutil.copytree(os.path.join(ROOT, "sol5lab"), folder / "sol5lab", ignore=code)
    return committed_copy_class(str(folder))


def run(folder, kill_at):
    environment = {
        **os.environ,
        "KILL_AT": kill_at,
        "SOL5_DATA_DIR": ROOT,
        "PYTHONPATH": str(folder),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, *SMOKE],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def comparable(node):
    """Results without what differs between two runs of the same config: the times."""
    if isinstance(node, dict):
        return {key: comparable(value) for key, value in node.items() if "seconds" not in key}
    if isinstance(node, list):
        return [comparable(value) for value in node]
    return node


def test_killed_at_every_write_then_rerun_gives_the_uninterrupted_result(tmp_path, committed_copy, datasets):
    copy = project_copy(tmp_path, type(committed_copy))
    model = tmp_path / "models" / "depth" / f"{RUN}.keras"
    results = tmp_path / "results" / "depth" / f"{RUN}.json"
    summary = tmp_path / "results" / "depth_experiment_quick.json"
    for kill_at, present in [
        ("archive", []),
        (os.path.basename(results), [model]),
        (os.path.basename(summary), [model, results]),
        ("nothing", [model, results, summary]),
    ]:
        finished = run(tmp_path, kill_at)
        assert finished.returncode == (0 if kill_at == "nothing" else -9), finished.stderr[-2000:]
        assert [path for path in (model, results, summary) if path.exists()] == present
        if model.exists():
            store.read_record(str(model))  # whole, and its record is its own
    copy.assert_only_variants_added("quick")
    assert "1 already done, 0 to go" in finished.stdout  # the last run only wrote the summary

    # the uninterrupted run, in this process (same backend and thread count)
    reference = tmp_path / "reference"
    depth_experiment.main(
        SMOKE + ["--results-dir", str(reference / "results"), "--models-dir", str(reference / "models"),
                 "--plots-dir", str(reference)]
    )  # fmt: skip
    expected = files.read_json(str(reference / "results" / "depth" / f"{RUN}.json"))
    assert comparable(files.read_json(str(results))) == comparable(expected)
    expected = files.read_json(str(reference / "results" / "depth_experiment_quick.json"))
    assert comparable(files.read_json(str(summary))["tasks"]) == comparable(expected["tasks"])
