"""The task comparison on its tiny configuration (quick-mode models, one image): the same code."""

import os

import numpy as np
import pytest
import scipy.ndimage

import model_store
import restoration_tasks as tasks
import task_comparison
from evaluation import image_quality, mean_quality
from sol5lab import files


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory, datasets):
    folder = tmp_path_factory.mktemp("tasks")
    argv = ["--quick", "--results-dir", str(folder / "results"), "--models-dir", str(folder / "models")]
    return folder, argv, task_comparison.main(argv)


def test_writes_each_task_the_summary_the_table_and_the_figure(quick_run):
    folder, _, summary = quick_run
    results = folder / "results"
    assert files.read_json(str(results / "restoration_tasks_quick.json")) == summary
    assert (results / "restoration_tasks_quick.md").read_text() == task_comparison.markdown_table(
        summary
    ) + "\n"
    assert os.path.getsize(results / "restoration_tasks_examples_quick.png") > 50_000
    for task in task_comparison.CONDITIONS:
        assert (results / "tasks" / f"{task}_quick.json").exists()
    assert set(summary["training"]) == set(tasks.LEARNERS)


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
    for task in tasks.LEARNERS:
        monkeypatch.setitem(model_store.LEARNERS, task, lambda **kwargs: pytest.fail("trained again"))
    monkeypatch.setattr(task_comparison, "restore", lambda *args: pytest.fail("scored again"))
    monkeypatch.setattr(task_comparison, "plot_examples", lambda *args, **kwargs: None)
    again = task_comparison.main(argv)
    assert again["tasks"] == summary["tasks"]
    assert capsys.readouterr().out.count("already scored") == len(task_comparison.CONDITIONS)


def test_the_cases_are_the_stated_corruptions(datasets):
    cases = {task: task_comparison.cases(task, max_images=1) for task in task_comparison.CONDITIONS}
    for case in cases["super_resolution"]:
        factor = case["condition"]["factor"]
        assert all(side % factor == 0 for side in case["clean"].shape)
        np.testing.assert_array_equal(case["corrupted"], tasks.downscale(case["clean"], factor))
        np.testing.assert_array_equal(case["alternative"], tasks.add_downscaling(case["clean"], factor))
    for case in cases["jpeg_deblocking"]:
        np.testing.assert_array_equal(case["alternative"], case["corrupted"])
    for case in cases["salt_and_pepper"]:
        hit = case["corrupted"] != np.round(case["clean"] * 255) / 255
        assert hit.mean() == pytest.approx(case["condition"]["amount"], abs=0.01)
        np.testing.assert_array_equal(case["alternative"], scipy.ndimage.median_filter(case["corrupted"], 3))
    for case in cases["scratches"]:
        scratched = np.abs(case["corrupted"] - case["clean"]) > 1e-9
        assert scratched.mean() <= case["condition"]["coverage"] + 0.05
        # biharmonic was given the true mask: it keeps the known pixels (all but the few scratch
        # pixels painted with the clean pixel's own value, which this test takes for known)
        changed = np.abs(case["alternative"] - case["clean"])[~scratched] > 1e-9
        assert changed.mean() < 0.002
    # fixed seeds: the same cases every time
    again = task_comparison.cases("salt_and_pepper", max_images=1)
    np.testing.assert_array_equal(again[0]["corrupted"], cases["salt_and_pepper"][0]["corrupted"])


def test_the_stored_scores_are_those_of_the_saved_models(quick_run):
    import keras

    folder, _, _ = quick_run
    record = files.read_json(str(folder / "results" / "tasks" / "jpeg_deblocking_quick.json"))
    case = task_comparison.cases("jpeg_deblocking", max_images=1)[0]
    for key, name in (("single", "jpeg_deblocking"), ("combined", "combined")):
        model = keras.saving.load_model(
            task_comparison.model_stem(str(folder / "models"), name, True) + ".keras", compile=False
        )
        restored = task_comparison.restore("jpeg_deblocking", case, model)
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
    table = task_comparison.markdown_table(summary)
    assert "| jpeg deblocking | quality 10 | 20.00 dB / 0.500 | decoded JPEG | 20.00 dB / 0.500 " in table
    assert "| **21.00 dB / 0.600** |" in table


def test_readme_shows_the_committed_table(committed_results):
    summary = committed_results("restoration_tasks.json")
    assert task_comparison.markdown_table(summary) in committed_results.readme()
    table = task_comparison.markdown_table(summary)
    assert committed_results.show("results/restoration_tasks.md") == table + "\n"
