"""The task comparison on its tiny configuration (quick-mode models, one image): the same code."""

import os
from pathlib import Path

import pytest

from sol5lab import files, inference, protocols, tasks, training
from sol5lab.evaluation import image_quality, mean_quality
from sol5lab.experiments import tasks as task_comparison
from sol5lab.reporting import tasks as tasks_report


@pytest.fixture(scope="module")
def quick_run(committed_copy, datasets):
    folder = Path(committed_copy.root)
    argv = ["--quick", "--results-dir", committed_copy.results, "--models-dir", committed_copy.models]
    return folder, argv, task_comparison.main(argv)


def test_the_quick_comparison_leaves_the_committed_results_alone(quick_run, committed_copy):
    committed_copy.assert_only_variants_added("quick")


def test_writes_each_task_the_summary_the_table_and_the_figure(quick_run):
    folder, _, summary = quick_run
    results = folder / "results"
    assert files.read_json(str(results / "restoration_tasks_quick.json")) == summary
    assert (results / "restoration_tasks_quick.md").read_text() == tasks_report.markdown_table(summary) + "\n"
    assert os.path.getsize(results / "restoration_tasks_examples_quick.png") > 50_000
    for task in tasks.COMPARED_TASKS:
        assert (results / "tasks" / f"{task}_quick.json").exists()
    assert set(summary["training"]) == {*tasks.COMPARED_TASKS, "combined"}


def test_the_summary_is_the_mean_of_the_stored_cases(quick_run):
    folder, _, summary = quick_run
    for task, row in summary["tasks"].items():
        record = files.read_json(str(folder / "results" / "tasks" / f"{task}_quick.json"))
        assert [condition["name"] for condition in record["config"]["conditions"]] == list(row["conditions"])
        for condition, scores in row["conditions"].items():
            cases = [case for case in record["cases"] if case["condition"] == condition]
            assert scores["images"] == len(cases) == 1
            for method in ("alternative", "single", "combined"):
                assert scores[method] == mean_quality([case[method] for case in cases])


def test_a_rerun_reuses_the_models_and_the_scores(quick_run, monkeypatch, capsys):
    _, argv, summary = quick_run
    monkeypatch.setattr(training, "learn", lambda *args, **kwargs: pytest.fail("trained again"))
    monkeypatch.setattr(inference, "restore_with", lambda *args: pytest.fail("scored again"))
    monkeypatch.setattr(tasks_report, "plot_examples", lambda *args, **kwargs: None)
    again = task_comparison.main(argv)
    assert again["tasks"] == summary["tasks"]
    assert capsys.readouterr().out.count("already scored") == len(tasks.COMPARED_TASKS)


def test_the_stored_scores_are_those_of_the_saved_models(quick_run):
    import keras

    folder, _, _ = quick_run
    record = files.read_json(str(folder / "results" / "tasks" / "jpeg_deblocking_quick.json"))
    case = protocols.cases("jpeg_deblocking", max_images=1, max_side=protocols.QUICK_MAX_SIDE)[0]
    assert case["clean"].shape == (protocols.QUICK_MAX_SIDE,) * 2  # the quick run's window
    for key, name in (("single", "jpeg_deblocking"), ("combined", "combined")):
        model = keras.saving.load_model(
            task_comparison.model_stem(str(folder / "models"), name, True) + ".keras", compile=False
        )
        restored = inference.restore_with("jpeg_deblocking", model, case["corrupted"], case["parameters"])
        assert image_quality(case["clean"], restored)["psnr"] == pytest.approx(
            record["cases"][0][key]["psnr"], abs=1e-3
        )


def test_the_table_marks_the_best_method():
    scores = {"psnr": 20.0, "ssim": 0.5}
    summary = {
        "tasks": {
            "jpeg_deblocking": {
                "alternative": "decoded JPEG",
                "conditions": {
                    "quality 10": {
                        "images": 1,
                        "corrupted": scores,
                        "alternative": scores,
                        "single": {"psnr": 21.0, "ssim": 0.6},
                        "combined": scores,
                    }
                },
            }
        }
    }
    table = tasks_report.markdown_table(summary)
    assert "| jpeg deblocking | quality 10 | 20.00 dB / 0.500 | decoded JPEG | 20.00 dB / 0.500 " in table
    assert "| **21.00 dB / 0.600** |" in table


def test_the_docs_show_the_committed_table(committed_results):
    summary = committed_results("restoration_tasks.json")
    assert tasks_report.markdown_table(summary) in committed_results.doc("tasks.md")
    table = tasks_report.markdown_table(summary)
    assert committed_results.show("results/restoration_tasks.md") == table + "\n"
