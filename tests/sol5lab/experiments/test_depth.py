"""The depth experiment on a tiny configuration: runs, resumes, summarizes, and plots."""

import os
from pathlib import Path

import keras
import numpy as np
import pytest

import sol5
from sol5lab import evaluation, files, protocols, tasks
from sol5lab.evaluation import image_quality
from sol5lab.experiments import depth as depth_experiment
from sol5lab.reporting import depth as depth_report

TINY = ["--tasks", "deblurring", "--quick", "--depths", "1", "2", "--seeds", "0", "1", "--max-images", "1"]


def arguments(folder):
    return TINY + [
        "--results-dir", str(folder / "results"),
        "--models-dir", str(folder / "models"),
        "--plots-dir", str(folder),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def tiny_run(committed_copy, datasets):
    folder = Path(committed_copy.root)
    return folder, depth_experiment.main(arguments(folder))


def run_path(folder, depth, seed):
    return folder / "results" / "depth" / f"{depth_experiment.run_name('deblurring', depth, seed, True)}.json"


def test_each_run_writes_its_results_and_model(tiny_run):
    folder, _ = tiny_run
    for depth in (1, 2):
        for seed in (0, 1):
            record = files.read_json(str(run_path(folder, depth, seed)))
            assert record["config"]["num_res_blocks"] == depth and record["config"]["seed"] == seed
            assert len(record["history"]["val_loss"]) == 2  # quick mode's epochs
            assert record["val_mse"] == record["history"]["val_loss"][-1]
            assert len(record["cases"]) == len(tasks.TASKS["deblurring"].conditions)
            stem = depth_experiment.run_name("deblurring", depth, seed, True)
            assert os.path.isfile(folder / "models" / "depth" / f"{stem}.keras")
    # different seeds train different models
    first, second = (files.read_json(str(run_path(folder, 2, seed))) for seed in (0, 1))
    assert first["val_mse"] != second["val_mse"]


def test_the_scores_are_those_of_the_saved_model(tiny_run):
    folder, _ = tiny_run
    record = files.read_json(str(run_path(folder, 2, 1)))
    model = keras.saving.load_model(
        folder / "models" / "depth" / "deblurring_depth2_seed1_quick.keras", compile=False
    )
    for case, row in zip(protocols.cases("deblurring", max_images=1), record["cases"], strict=True):
        assert (row["image"], row["condition"]) == (case["image"], case["condition"])
        assert row["corrupted"] == image_quality(case["clean"], case["corrupted"])
        restored = image_quality(case["clean"], sol5.restore_image(case["corrupted"], model))
        assert row["restored"]["psnr"] == pytest.approx(restored["psnr"], abs=1e-3)
        assert row["restored"]["ssim"] == pytest.approx(restored["ssim"], abs=1e-4)


def test_the_summary_is_the_statistics_of_the_runs(tiny_run):
    folder, summary = tiny_run
    assert files.read_json(str(folder / "results" / "depth_experiment_quick.json")) == summary
    entry = summary["tasks"]["deblurring"]
    assert entry["depths"] == [1, 2]
    for depth in (1, 2):
        records = [files.read_json(str(run_path(folder, depth, seed))) for seed in (0, 1)]
        row = entry["by_depth"][str(depth)]
        values = [record["val_mse"] for record in records]
        assert row["val_mse"]["values"] == values
        assert row["val_mse"]["mean"] == pytest.approx(np.mean(values))
        assert row["val_mse"]["std"] == pytest.approx(np.std(values, ddof=1))
        curves = np.array([record["history"]["val_loss"] for record in records])
        np.testing.assert_allclose(row["val_loss_per_epoch"], curves.mean(axis=0))
        condition = tasks.TASKS["deblurring"].conditions[1]["name"]
        per_seed = [
            np.mean([case["restored"]["psnr"] for case in record["cases"] if case["condition"] == condition])
            for record in records
        ]
        assert row["conditions"][condition]["psnr"]["mean"] == pytest.approx(np.mean(per_seed))
        assert row["conditions"][condition]["num_images"] == 1


def test_the_plots_and_the_figure_are_drawn(tiny_run):
    folder, _ = tiny_run
    assert os.path.getsize(folder / "depth_plot_deblur_quick.png") > 20_000
    assert os.path.getsize(folder / "results" / "depth_deblurring_restorations_quick.png") > 20_000
    assert not os.path.exists(folder / "depth_plot_denoise_quick.png")  # that task was not asked for


def test_a_quick_run_leaves_the_committed_results_alone(tiny_run, committed_copy):
    committed_copy.assert_only_variants_added("quick")


def test_a_full_run_on_a_subset_writes_partial_files_only(tiny_run, committed_copy):
    # --plots-only summarises the committed full runs of one task: no training needed
    summary = depth_experiment.main(
        ["--tasks", "deblurring", "--plots-only", "--results-dir", committed_copy.results,
         "--models-dir", committed_copy.models, "--plots-dir", committed_copy.root]
    )  # fmt: skip
    assert committed_copy.changed() == []
    partial = [path for path in committed_copy.added() if "_partial" in path]
    assert partial == ["depth_plot_deblur_partial.png", "results/depth_experiment_partial.json"]
    assert files.read_json(os.path.join(committed_copy.results, "depth_experiment_partial.json")) == summary
    committed = files.read_json(os.path.join(committed_copy.results, "depth_experiment.json"))
    assert summary["tasks"]["deblurring"] == committed["tasks"]["deblurring"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--max-images", "0"], "--max-images"),
        (["--max-images", "-1"], "--max-images"),
        (["--seeds", "-1"], "--seeds"),
        (["--depths", "0"], "--depths"),
        (["--depths", "two"], "--depths"),
        (["--seeds", "0", "0"], "--seeds"),
        (["--tasks", "inpainting"], "--tasks"),
    ],
)
def test_bad_options_are_usage_errors_naming_the_option(options, message, capsys):
    with pytest.raises(SystemExit) as exited:
        depth_experiment.main(options)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_a_rerun_skips_every_finished_run(tiny_run, monkeypatch, capsys):
    folder, summary = tiny_run
    monkeypatch.setattr(depth_experiment, "run_one", lambda *a, **k: pytest.fail("ran again"))
    again = depth_experiment.main(arguments(folder))
    assert "4 already done, 0 to go" in capsys.readouterr().out
    assert again["tasks"] == summary["tasks"]


def test_a_killed_experiment_redoes_only_the_missing_and_stale_runs(tiny_run, monkeypatch, capsys):
    folder, summary = tiny_run
    os.remove(run_path(folder, 1, 1))  # killed before this run finished
    stale = files.read_json(str(run_path(folder, 2, 0)))
    stale["config"]["conditions"] = ["an older set of conditions"]
    files.write_json(str(run_path(folder, 2, 0)), stale)
    done = []
    run_one = depth_experiment.run_one
    monkeypatch.setattr(
        depth_experiment,
        "run_one",
        lambda task, depth, seed, **k: done.append((depth, seed)) or run_one(task, depth, seed, **k),
    )
    again = depth_experiment.main(arguments(folder))
    output = capsys.readouterr().out
    assert sorted(done) == [(1, 1), (2, 0)]
    assert "[run 1/2]" in output and "[run 2/2]" in output and "left ~" in output
    assert "reusing" in output  # the saved models were reused, not retrained
    for depth in ("1", "2"):
        mine, before = (
            again["tasks"]["deblurring"]["by_depth"][depth],
            summary["tasks"]["deblurring"]["by_depth"][depth],
        )
        assert mine["val_mse"] == before["val_mse"]  # the same models, so the same numbers


def test_plots_only_needs_the_results(tmp_path):
    with pytest.raises(FileNotFoundError, match="without --plots-only"):
        depth_experiment.main(
            TINY + ["--plots-only", "--results-dir", str(tmp_path), "--plots-dir", str(tmp_path)]
        )


def test_time_left_is_estimated_from_the_closest_finished_runs():
    def record(seconds):
        return {"training_seconds": seconds, "evaluation_seconds": 0.0}

    done = {("denoising", 1): [record(10.0), record(30.0)], ("denoising", 2): [record(50.0)]}
    assert depth_experiment._estimate(done, "denoising", 1) == 20.0  # the same depth
    assert depth_experiment._estimate(done, "denoising", 5) == 30.0  # the same task
    assert depth_experiment._estimate(done, "deblurring", 1) == 30.0  # anything
    assert depth_experiment._estimate({}, "deblurring", 1) is None


def test_spread_of_one_value_has_no_width():
    assert evaluation.spread([2.0]) == {
        "mean": 2.0,
        "std": 0.0,
        "min": 2.0,
        "max": 2.0,
        "values": [2.0],
    }
    assert evaluation.spread([1.0, 2.0, 3.0])["std"] == pytest.approx(1.0)


def test_the_table_has_a_row_per_depth_with_its_spread(tiny_run):
    _, summary = tiny_run
    table = depth_report.markdown_table(summary).splitlines()
    assert len(table) == 3 + 2  # header, rule, corrupted input, two depths
    row = summary["tasks"]["deblurring"]["by_depth"]["2"]
    assert table[-1].startswith(
        f"| 2 | {row['val_mse']['mean'] * 1e3:.3f} ± {row['val_mse']['std'] * 1e3:.3f} |"
    )


def test_the_docs_show_the_committed_depth_results(committed_results):
    assert depth_report.markdown_table(committed_results("depth_experiment.json")) in committed_results.doc(
        "depth.md"
    )


def test_plots_only_redraws_the_same_summary_from_disk(tiny_run, monkeypatch):
    folder, summary = tiny_run
    monkeypatch.setattr(depth_experiment, "run_one", lambda *a, **k: pytest.fail("ran again"))
    os.remove(folder / "depth_plot_deblur_quick.png")
    again = depth_experiment.main(arguments(folder) + ["--plots-only"])
    for depth in ("1", "2"):  # (the timings may differ: an earlier test redid two runs)
        mine, before = (
            again["tasks"]["deblurring"]["by_depth"][depth],
            summary["tasks"]["deblurring"]["by_depth"][depth],
        )
        assert mine["val_mse"] == before["val_mse"] and mine["conditions"] == before["conditions"]
    assert os.path.getsize(folder / "depth_plot_deblur_quick.png") > 20_000
