"""The main job end to end, in quick mode: train, save, reuse, restore, plot, report."""

import os

import pytest

import demo
import model_store
from sol5lab import files


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory, datasets):
    folder = tmp_path_factory.mktemp("demo")
    arguments = ["--quick", "--models-dir", str(folder / "models"), "--results-dir", str(folder / "results")]
    return folder, arguments, demo.main(arguments)


def test_quick_demo_writes_models_figures_and_results(quick_run):
    folder, _, summary = quick_run
    for task in demo.TASKS:
        assert os.path.isfile(folder / "models" / f"{task}_quick.keras")
        assert os.path.getsize(folder / "results" / f"demo_{task}_quick.png") > 10_000
        result = summary["tasks"][task]
        assert result["num_test_images"] == len(result["images"]) > 0
        assert set(result["corrupted"]) == set(result["restored"]) == {"psnr", "ssim"}
        assert result["training"]["settings"]["num_epochs"] == 2  # quick mode's budget
        assert result["training"]["training_seconds"] > 0
    assert files.read_json(str(folder / "results" / "demo_quick.json")) == summary
    # the held-out corruptions are seeded: the corrupted images score the same in every run
    assert summary["tasks"]["denoising"]["corrupted"]["psnr"] == pytest.approx(20.0, abs=0.5)  # sigma 0.1


def test_a_second_run_reuses_the_saved_models(quick_run, capsys, monkeypatch):
    folder, arguments, first = quick_run
    for task in demo.TASKS:
        monkeypatch.setitem(model_store.LEARNERS, task, lambda **kwargs: pytest.fail("trained again"))
    second = demo.main(arguments)
    assert "reusing" in capsys.readouterr().out
    for task in demo.TASKS:
        assert second["tasks"][task]["restored"] == first["tasks"][task]["restored"]
        assert second["tasks"][task]["corrupted"] == first["tasks"][task]["corrupted"]


def test_readme_shows_the_committed_results(committed_results):
    """The README's table is the one the committed results/demo.json gives."""
    assert demo.markdown_table(committed_results("demo.json")) in committed_results.readme()
