"""The architecture comparison on a tiny configuration: runs under its budget, resumes, and
reports what its records hold."""

import os
from pathlib import Path

import numpy as np
import pytest

from sol5lab import files, training
from sol5lab.experiments import architectures as experiment
from sol5lab.reporting import architectures as report

TINY = ["--quick", "--tasks", "deblurring", "--architectures", "resnet", "--seeds", "0",
        "--sweep-depths", "2", "--max-images", "1"]  # fmt: skip


def arguments(folder):
    return TINY + [
        "--results-dir", str(folder / "results"),
        "--models-dir", str(folder / "models"),
        "--docs-dir", str(folder / "docs"),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def tiny_run(committed_copy, datasets):
    folder = Path(committed_copy.root)
    return folder, experiment.main(arguments(folder))


def test_the_tiny_run_leaves_the_committed_results_alone(tiny_run, committed_copy):
    committed_copy.assert_only_variants_added("quick")


def record(folder, label):
    return files.read_json(
        str(
            folder / "results" / "architectures" / f"{experiment.run_name(label, 'deblurring', 0, True)}.json"
        )
    )


def test_every_run_writes_a_record_with_its_curve_and_costs(tiny_run):
    folder, summary = tiny_run
    for label in ("resnet", "rednet2", "rednet2_noskip"):
        run = record(folder, label)
        assert run["label"] == label and run["config"]["quick_mode"]
        assert run["config"]["budget_seconds"] == pytest.approx(60 * experiment.QUICK_BUDGET_MINUTES)
        # the curve is the validation loss of every epoch, against increasing time
        assert [point["val_loss"] for point in run["curve"]] == run["history"]["val_loss"]
        seconds = [point["seconds"] for point in run["curve"]]
        assert seconds == sorted(seconds) and seconds[-1] <= run["training_seconds"]
        psnr = [point["val_psnr"] for point in run["curve"]]
        np.testing.assert_allclose(psnr, -10 * np.log10(run["history"]["val_loss"]))
        assert run["speed"]["parameters"] > 0 and run["speed"]["train_step_seconds"]["median"] > 0
        assert os.path.isfile(folder / "models" / "architectures" / f"deblurring_{label}_seed0_quick.keras")
    assert record(folder, "rednet2_noskip")["config"]["network"]["skips"] is False
    # only quick files were written
    assert os.path.isfile(folder / "results" / "architectures_quick.json")
    assert os.path.isfile(folder / "docs" / "architectures_quick.md")


def test_the_summary_and_page_show_the_records(tiny_run):
    folder, summary = tiny_run
    entry = summary["tasks"]["deblurring"]["resnet"]
    run = record(folder, "resnet")
    assert entry["parameters"] == run["speed"]["parameters"]
    condition = run["cases"][0]["condition"]
    assert entry["conditions"][condition]["psnr"]["mean"] == pytest.approx(
        run["cases"][0]["restored"]["psnr"]
    )
    assert set(summary["sweep"]["deblurring"]) == {"rednet2", "rednet2_noskip"}
    page = (folder / "docs" / "architectures_quick.md").read_text()
    assert f"| {entry['conditions'][condition]['psnr']['mean']:.2f} dB / " in page  # one seed: no spread
    for path in ("architectures_quick_deblurring_psnr_time.png", "architectures_quick_rednet_skips.png"):
        assert os.path.getsize(folder / "results" / path) > 1000


def test_the_table_shows_the_classical_methods_with_the_committed_scores(tiny_run, committed_results):
    _, summary = tiny_run
    wiener = committed_results("classical_comparison.json")["tasks"]["deblurring"]["kernel 7, 45 deg"][
        "Wiener"
    ]
    row = next(line for line in report.markdown_table(summary).splitlines() if line.startswith("| Wiener"))
    assert f"{wiener['psnr']:.2f} dB / {wiener['ssim']:.3f}" in row
    assert summary["tasks"]["deblurring"]["resnet"]["policy"] == "float32"  # quick mode measures nothing


def test_a_rerun_trains_nothing_and_keeps_the_pages_reading(tiny_run, monkeypatch):
    folder, summary = tiny_run
    page = folder / "docs" / "architectures_quick.md"
    page.write_text(page.read_text() + "\n" + report.READING_HEADING + "\n\nKept by hand.\n")
    monkeypatch.setattr(training, "learn", lambda *args, **kwargs: pytest.fail("trained again"))
    again = experiment.main(arguments(folder) + ["--report-only"])
    assert again["tasks"] == summary["tasks"]
    assert page.read_text().endswith(report.READING_HEADING + "\n\nKept by hand.\n")
    assert page.read_text().count(report.READING_HEADING) == 1


def test_bfloat16_is_chosen_where_its_step_is_faster_enough_and_measured_once(tmp_path, monkeypatch):
    measured = []
    medians = {("resnet", "float32"): 2.0, ("resnet", "mixed_bfloat16"): 1.0,
               ("memnet", "float32"): 1.2, ("memnet", "mixed_bfloat16"): 1.0}  # fmt: skip

    def step(architecture, task, policy, repeats=5):
        measured.append((architecture, policy))
        return {"median": medians[architecture, policy]}

    monkeypatch.setattr(experiment, "training_step_seconds", step)
    path = str(tmp_path / "policies.json")
    table = experiment.choose_policies(["deblurring"], ["resnet", "memnet"], path, quick_mode=False)
    assert table["deblurring/resnet"]["policy"] == "mixed_bfloat16"  # 2x faster
    assert table["deblurring/memnet"]["policy"] == "float32"  # 1.2x: under the precision rule's 1.3
    assert table["deblurring/resnet"]["speedup"] == 2.0 and len(measured) == 4
    assert experiment.choose_policies(["deblurring"], ["resnet", "memnet"], path, quick_mode=False) == table
    assert len(measured) == 4  # the rerun reads the file
    quick = experiment.choose_policies(["deblurring"], ["resnet"], str(tmp_path / "q.json"), quick_mode=True)
    assert quick == {"deblurring/resnet": {"policy": "float32"}} and not os.path.exists(tmp_path / "q.json")


def test_the_headline_ranks_the_networks_and_adds_the_classical_means(tiny_run):
    _, summary = tiny_run
    lines = report.headline_table(summary).splitlines()
    assert lines[2].startswith("| resnet | ") and "(" in lines[2]
    wiener = summary["classical"]["deblurring"]["Wiener"]
    mean = np.mean([scores["psnr"] for scores in wiener.values()])
    assert f"| {report.CLASSICAL_NAMES['Wiener']} | {mean:.2f} dB |" in lines


def test_the_readme_and_the_docs_show_the_committed_comparison(committed_results):
    summary = committed_results("architectures.json")
    assert summary["budget_seconds"] == 60 * experiment.BUDGET_MINUTES and "--" not in summary["command"]
    assert report.headline_table(summary) in committed_results.readme()
    assert report.markdown_table(summary) in committed_results.doc("architectures.md")
