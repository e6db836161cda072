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
