"""The classical comparison's command line: a tiny run, and the committed table."""

import json
import os

import pytest

from sol5lab import classical, protocols, tasks
from sol5lab.evaluation import image_quality
from sol5lab.experiments import classical as classical_experiment
from sol5lab.reporting import classical as classical_report


def test_a_tiny_comparison_reports_every_condition_and_method(committed_copy, datasets, monkeypatch):
    # iterations: the same grid search as 10 and 20, which spent 7 of the test's 11 s convolving
    monkeypatch.setitem(classical.METHODS["deblurring"]["Richardson-Lucy"], "grid", (2, 4))
    monkeypatch.setitem(classical.METHODS["deblurring"]["Wiener"], "grid", (1e-4, 1e-2))
    result = classical_experiment.main(
        ["--tasks", "deblurring", "--quick", "--results-dir", committed_copy.results]
    )
    committed_copy.assert_only_variants_added("quick")
    assert set(committed_copy.added()) == {
        "results/classical_comparison_quick.json",
        "results/classical_comparison_quick.md",
    }
    with open(
        os.path.join(committed_copy.results, "classical_comparison_quick.json"), encoding="utf-8"
    ) as file:
        assert json.load(file) == json.loads(json.dumps(result))
    conditions = result["tasks"]["deblurring"]
    assert list(conditions) == [condition["name"] for condition in tasks.TASKS["deblurring"].conditions]
    for condition, methods in conditions.items():
        assert set(methods) == {"Wiener", "Richardson-Lucy"}
        case = next(c for c in protocols.cases("deblurring", max_images=1) if c["condition"] == condition)
        for method, row in methods.items():
            assert row["value"] in classical.METHODS["deblurring"][method]["grid"]
            assert row["tuning_psnr"][str(row["value"])] == max(row["tuning_psnr"].values())
            restored, _ = classical.apply_method("deblurring", method, case, row["value"])
            assert row["psnr"] == pytest.approx(image_quality(case["clean"], restored)["psnr"])
            assert len(row["images"]) == 1 and row["seconds_per_image"] > 0


def test_the_docs_show_the_committed_comparison(committed_results):
    table = classical_report.markdown_table(
        committed_results("classical_comparison.json"), committed_results("depth_experiment.json")
    )
    assert table in committed_results.doc("depth.md")


def test_the_committed_table_file_is_the_one_the_committed_results_give(committed_results):
    table = classical_report.markdown_table(
        committed_results("classical_comparison.json"), committed_results("depth_experiment.json")
    )
    assert committed_results.show("results/classical_comparison.md") == table + "\n"
