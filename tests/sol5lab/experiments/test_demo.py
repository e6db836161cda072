"""The main job end to end, in quick mode: train, save, reuse, restore, plot, report."""

import os
from pathlib import Path

import keras
import pytest

import sol5
from sol5lab import files, protocols, tasks, training
from sol5lab.evaluation import image_quality, mean_quality
from sol5lab.experiments import demo
from sol5lab.reporting import demo as demo_report


@pytest.fixture(scope="module")
def quick_run(committed_copy, datasets):
    folder = Path(committed_copy.root)
    arguments = ["--quick", "--models-dir", committed_copy.models, "--results-dir", committed_copy.results]
    return folder, arguments, demo.main(arguments)


def test_quick_demo_writes_models_figures_and_results_beside_the_full_runs(quick_run):
    folder, _, summary = quick_run
    for task in demo.TASKS:
        assert os.path.isfile(folder / "models" / f"{task}_quick.keras")
        assert os.path.getsize(folder / "results" / f"demo_{task}_quick.png") > 10_000
        assert summary["tasks"][task]["training"]["settings"]["num_epochs"] == 2  # quick mode's budget
    assert files.read_json(str(folder / "results" / "demo_quick.json")) == summary


def test_the_quick_demo_leaves_the_committed_results_alone(quick_run, committed_copy):
    committed_copy.assert_only_variants_added("quick")
    assert [path for path in committed_copy.added() if path.startswith("results")] == [
        "results/demo_deblurring_quick.png",
        "results/demo_denoising_quick.png",
        "results/demo_quick.json",
    ]


def test_the_summary_is_the_mean_of_its_cases_in_the_protocols_order(quick_run):
    _, _, summary = quick_run
    for task in demo.TASKS:
        result = summary["tasks"][task]
        assert list(result["conditions"]) == [condition["name"] for condition in tasks.TASKS[task].conditions]
        for condition, scores in result["conditions"].items():
            rows = [row for row in result["cases"] if row["condition"] == condition]
            assert scores["images"] == len(rows) == 1  # quick mode restores the first image only
            for key in ("corrupted", "restored"):
                assert scores[key] == mean_quality([row[key] for row in rows])


def test_the_scores_are_the_saved_models_on_the_protocols_cases(quick_run):
    folder, _, summary = quick_run
    for task in demo.TASKS:
        model = keras.saving.load_model(folder / "models" / f"{task}_quick.keras", compile=False)
        for case, row in zip(
            protocols.cases(task, max_images=1, max_side=summary["max_side"]),
            summary["tasks"][task]["cases"],
            strict=True,
        ):
            assert case["clean"].shape == (protocols.QUICK_MAX_SIDE,) * 2  # the quick run's window
            assert (row["image"], row["condition"]) == (case["image"], case["condition"])
            assert row["corrupted"] == image_quality(case["clean"], case["corrupted"])
            restored = image_quality(case["clean"], sol5.restore_image(case["corrupted"], model))
            assert row["restored"]["psnr"] == pytest.approx(restored["psnr"], abs=1e-4)


def test_a_second_run_reuses_the_saved_models(quick_run, capsys, monkeypatch):
    _, arguments, first = quick_run
    monkeypatch.setattr(training, "learn", lambda *args, **kwargs: pytest.fail("trained again"))
    second = demo.main(arguments)
    assert "reusing" in capsys.readouterr().out
    for task in demo.TASKS:
        assert second["tasks"][task]["conditions"] == first["tasks"][task]["conditions"]


def test_readme_shows_the_committed_results(committed_results):
    """The README's table is the one the committed results/demo.json gives."""
    assert demo_report.markdown_table(committed_results("demo.json")) in committed_results.readme()
