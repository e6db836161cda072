"""Outputs are written whole or not at all."""

import os

import pytest

from sol5lab import files


def test_atomic_path_renames_on_success_and_keeps_the_extension(tmp_path):
    target = tmp_path / "sub" / "result.json"
    with files.atomic_path(str(target)) as temporary:
        assert temporary.endswith(".tmp.json") and os.path.basename(temporary).startswith(".")
        assert os.path.dirname(temporary) == str(target.parent)
        with open(temporary, "w") as file:
            file.write("new")
        assert not target.exists()
    assert target.read_text() == "new"
    assert os.listdir(target.parent) == ["result.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "result.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), files.atomic_path(str(target)) as temporary:
        with open(temporary, "w") as file:
            file.write("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["result.json"]


def test_json_round_trip(tmp_path):
    data = {"psnr": 27.5, "runs": [1, 2], "name": "denoising"}
    files.write_json(str(tmp_path / "a.json"), data)
    assert files.read_json(str(tmp_path / "a.json")) == data


def test_models_must_be_keras_files():
    with pytest.raises(ValueError, match=".keras"):
        files.save_model(object(), "model.h5")


def test_write_text_writes_utf8_whole(tmp_path):
    files.write_text(str(tmp_path / "table.md"), "| ± 0.2 dB |\n")
    assert (tmp_path / "table.md").read_text(encoding="utf-8") == "| ± 0.2 dB |\n"
    assert os.listdir(tmp_path) == ["table.md"]


def test_each_kind_of_run_has_its_own_name():
    assert files.variant("results/demo", "full") == "results/demo"
    assert files.variant("results/demo", files.run_kind(True, partial=True)) == "results/demo_quick"
    assert files.variant("results/demo", files.run_kind(False, partial=True)) == "results/demo_partial"
    assert files.variant("results/demo", files.run_kind(False)) == "results/demo"
    assert (
        files.variant("models/x", True) == "models/x_quick" and files.variant("models/x", False) == "models/x"
    )


def test_a_killed_writers_temporary_file_is_removed_by_the_next_write(tmp_path):
    import subprocess
    import sys

    target = tmp_path / "result.json"
    # a writer that dies (SIGKILL: no finally, no cleanup) with its temporary file written
    script = (
        "import os, signal, sys; from sol5lab import files\n"
        "with files.atomic_path(sys.argv[1]) as temporary:\n"
        "    open(temporary, 'w').write('half')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    killed = subprocess.run([sys.executable, "-c", script, str(target)], check=False)
    assert killed.returncode == -9
    (left,) = os.listdir(tmp_path)
    assert left.startswith(".result.") and left.endswith(".tmp.json")
    # a temporary file of a writer still at work (this process) is not touched
    mine = tmp_path / f".result.{os.getpid()}.abc.tmp.json"
    mine.write_text("in progress")
    files.write_json(str(target), {"whole": True})
    assert sorted(os.listdir(tmp_path)) == sorted([mine.name, "result.json"])
    assert files.read_json(str(target)) == {"whole": True}


@pytest.mark.parametrize("text", ['{"config": {"task": "deno', "", "[1, 2]"])
def test_a_damaged_record_counts_as_missing_and_says_so(tmp_path, capsys, text):
    path = tmp_path / "run.json"
    path.write_text(text)
    assert files.finished_record(str(path), {"task": "denoising"}) is None
    if text != "[1, 2]":  # a list is valid JSON, merely not a record
        assert f"{path} is not valid JSON" in capsys.readouterr().out
