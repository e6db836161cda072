"""The colour comparison end to end in quick mode, and the committed results behind the docs."""

from pathlib import Path

import pytest

from sol5lab import colour, files, tasks
from sol5lab.experiments import colour as colour_experiment
from sol5lab.reporting import colour as colour_report


@pytest.fixture(scope="module")
def quick_run(committed_copy, datasets):
    folder = Path(committed_copy.root)
    result = colour_experiment.main(
        ["--quick", "--models-dir", committed_copy.models, "--results-dir", committed_copy.results]
    )
    return folder, result


def test_the_quick_run_leaves_the_committed_results_alone(quick_run, committed_copy):
    committed_copy.assert_only_variants_added("quick")


def test_quick_run_scores_every_method_on_the_first_colour_image(quick_run, committed_copy):
    folder, result = quick_run
    written = [path for path in committed_copy.added() if path.startswith("results")]
    assert written == ["results/colour_quick.json"]
    assert files.read_json(str(folder / "results" / "colour_quick.json")) == result
    assert result["images"] == ["coffee.png"]  # the first colour test image: camera is grey
    conditions = [condition["name"] for condition in tasks.TASKS["denoising"].conditions]
    for method in colour.METHODS:
        measured = result["methods"][method]
        assert list(measured["conditions"]) == conditions
        assert [case["condition"] for case in measured["cases"]] == conditions
    # every method saw the same noisy images
    noisy = {
        method: [case["corrupted"] for case in result["methods"][method]["cases"]]
        for method in colour.METHODS
    }
    assert noisy["luminance"] == noisy["per-channel"] == noisy["luminance-smooth-chroma"]
    best = max(colour.METHODS, key=lambda method: result["methods"][method]["mean"]["psnr"])
    assert result["best"] == best


def test_the_command_uses_the_measured_best_and_the_docs_show_its_table(committed_results):
    result = committed_results("colour.json")
    assert "--quick" not in result["command"] and len(result["images"]) == 2
    assert colour.DEFAULT_METHOD == result["best"]
    assert colour_report.markdown_table(result) in committed_results.doc("colour.md")
