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
import threading

from sol5lab import files, store
from sol5lab.experiments import depth as depth_experiment

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SMOKE = ["--tasks", "deblurring", "--quick", "--depths", "1", "--seeds", "0", "--max-images", "1"]
RUN = "deblurring_depth1_seed0_quick"

# One process imports the experiment once, then for each line it reads (a name of $KILL_AT's kind)
# forks a child that runs the experiment and dies (SIGKILL: nothing cleaned up) at that write:
# "archive" while the model's archive is written, before its record is in it; a file name just
# before the rename that would put that file in place. The child's output goes to
# OUTPUT_DIR/<name>.log; the parent answers each line with the child's return code. Forked from
# one import, the four runs pay for starting TensorFlow once instead of four times (about 9 s of
# CPU each); each is still a process of its own that dies with nothing cleaned up.
SCRIPT = """
import os, signal, sys, zipfile
from sol5lab.experiments import depth

def run(kill_at):
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
    depth.main(sys.argv[1:])

for line in sys.stdin:
    kill_at = line.strip()
    child = os.fork()
    if child == 0:
        log = os.open(os.path.join(os.environ["OUTPUT_DIR"], kill_at + ".log"), os.O_WRONLY | os.O_CREAT)
        os.dup2(log, 1)
        os.dup2(log, 2)
        try:
            run(kill_at)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(0)
    _, status = os.waitpid(child, 0)
    print(-os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status), flush=True)
"""


def project_copy(folder, committed_copy_class):
    """Copy the code and the committed outputs; the datasets are read from the project."""
    for name in ("sol5.py", "sol5_utils.py"):
        shutil.copyfile(os.path.join(ROOT, name), folder / name)
    code = shutil.ignore_patterns("__pycache__")
    shutil.copytree(os.path.join(ROOT, "sol5lab"), folder / "sol5lab", ignore=code)
    return committed_copy_class(str(folder))


def start_runs(folder, logs):
    """The process of SCRIPT, in the project copy ``folder``, writing its runs' logs to ``logs``."""
    environment = {
        **os.environ,
        "OUTPUT_DIR": str(logs),
        "SOL5_DATA_DIR": ROOT,
        "PYTHONPATH": str(folder),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, *SMOKE],
        cwd=folder,
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def run(runs, logs, kill_at):
    """One run, killed at ``kill_at``: its return code (-9 when killed) and its output."""
    runs.stdin.write(kill_at + "\n")
    runs.stdin.flush()
    answer = runs.stdout.readline()
    with open(logs / f"{kill_at}.log", encoding="utf-8") as file:
        output = file.read()
    assert answer, f"the runs' process ended: {output[-2000:]}"
    return int(answer), output


def comparable(node):
    """Results without what differs between two runs of the same config: the times."""
    if isinstance(node, dict):
        return {key: comparable(value) for key, value in node.items() if "seconds" not in key}
    if isinstance(node, list):
        return [comparable(value) for value in node]
    return node


def test_killed_at_every_write_then_rerun_gives_the_uninterrupted_result(
    tmp_path, tmp_path_factory, committed_copy, datasets
):
    copy = project_copy(tmp_path, type(committed_copy))
    logs = tmp_path_factory.mktemp("logs")  # outside the copy, whose every new file is checked
    runs = start_runs(tmp_path, logs)
    # a run that hangs ends the process, so that the test fails instead of waiting for ever
    watchdog = threading.Timer(600, runs.kill)
    watchdog.start()
    model = tmp_path / "models" / "depth" / f"{RUN}.keras"
    results = tmp_path / "results" / "depth" / f"{RUN}.json"
    summary = tmp_path / "results" / "depth_experiment_quick.json"
    try:
        for kill_at, present in [
            ("archive", []),
            (os.path.basename(results), [model]),
            (os.path.basename(summary), [model, results]),
            ("nothing", [model, results, summary]),
        ]:
            returncode, output = run(runs, logs, kill_at)
            assert returncode == (0 if kill_at == "nothing" else -9), output[-2000:]
            assert [path for path in (model, results, summary) if path.exists()] == present
            if model.exists():
                store.read_record(str(model))  # whole, and its record is its own
        runs.stdin.close()
        assert runs.wait(timeout=60) == 0
    finally:
        watchdog.cancel()
        if runs.poll() is None:
            runs.kill()
        runs.stdout.close()
    copy.assert_only_variants_added("quick")
    assert "1 already done, 0 to go" in output  # the last run only wrote the summary

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
