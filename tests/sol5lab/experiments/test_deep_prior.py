"""The deep prior study on its tiny configuration: the same code as the full study."""

import os
from pathlib import Path

import numpy as np
import pytest

from sol5lab import files
from sol5lab.experiments import deep_prior as deep_prior_study
from sol5lab.experiments import deep_prior_variants
from sol5lab.reporting import deep_prior as deep_prior_report


@pytest.fixture(scope="module")
def quick_study(committed_copy, datasets):
    folder = Path(committed_copy.root)
    result = deep_prior_study.main(
        ["--quick", "--results-dir", committed_copy.results, "--models-dir", committed_copy.models]
    )
    return folder, result


@pytest.fixture(scope="module")
def quick_variants(committed_copy, datasets):
    return deep_prior_variants.main(["--quick", "--results-dir", committed_copy.results])


def test_writes_its_results_and_figures(quick_study):
    folder, result = quick_study
    assert files.read_json(str(folder / "results" / "deep_prior_quick.json")) == result
    for name in ("deep_prior_curves_quick.png", "deep_prior_examples_quick.png"):
        assert os.path.getsize(folder / "results" / name) > 20_000


def test_the_budget_is_the_best_step_of_the_mean_curve(quick_study):
    _, result = quick_study
    curves = result["curves"]
    assert curves["iterations"] == [10, 20]
    assert all(len(image["psnr"]) == len(image["fit"]) == 2 for image in curves["images"])
    mean = np.mean([image["psnr"] for image in curves["images"]], axis=0)
    assert result["budget"]["num_iterations"] == curves["iterations"][int(np.argmax(mean))]
    assert result["denoising"]["num_iterations"] == result["budget"]["num_iterations"]


def test_the_comparison_measures_every_method_on_the_same_noisy_crops(quick_study):
    _, result = quick_study
    denoising = result["denoising"]
    assert set(denoising["mean"]) == {"noisy", "deep prior", "learned", "BM3D"}
    # sigma 25/255 on a 64x64 crop: the noisy input is near 20 dB (less where clipping cuts the noise)
    assert 19.5 < denoising["mean"]["noisy"]["psnr"] < 23
    assert denoising["mean"]["BM3D"]["psnr"] > denoising["mean"]["noisy"]["psnr"] + 3
    inpainting = result["inpainting"]["64"]
    assert inpainting["images"][0]["scratched_share"] == pytest.approx(0.1, abs=0.05)
    assert inpainting["biharmonic_hole_psnr"] > 15


def test_the_inpainting_budget_is_the_best_step_inside_the_scratches(quick_study):
    _, result = quick_study
    inpainting = result["inpainting"]["64"]
    assert inpainting["iterations"] == [10, 20]
    mean = np.mean([image["psnr"] for image in inpainting["images"]], axis=0)
    np.testing.assert_allclose(inpainting["mean_psnr"], mean)
    assert result["budget"]["inpainting_iterations"] == inpainting["iterations"][int(np.argmax(mean))]
    # the reported PSNR is the curve's value at the budget, not at the last step
    at = inpainting["iterations"].index(result["budget"]["inpainting_iterations"])
    assert inpainting["num_iterations"] == result["budget"]["inpainting_iterations"]
    assert inpainting["deep_prior_hole_psnr"] == pytest.approx(mean[at])


def test_hole_psnr_counts_only_the_unknown_pixels():
    clean = np.zeros((4, 4))
    image = np.full((4, 4), 0.5)
    mask = np.ones((4, 4), dtype=bool)
    mask[0, 0] = False
    image[0, 0] = 0.1  # the only unknown pixel: error 0.01
    assert deep_prior_study.hole_psnr(clean, image, mask) == pytest.approx(20.0)


def test_the_table_shows_each_method(quick_study):
    _, result = quick_study
    table = deep_prior_report.markdown_table(result)
    assert "BM3D, given the true sigma" in table and "| 64x64 | 1 | " in table


def test_the_default_budget_is_the_one_the_committed_study_chose(committed_results):
    import sol5

    study = committed_results("deep_prior.json")
    assert sol5.DEEP_PRIOR_SETTINGS["num_iterations"] == study["budget"]["num_iterations"]
    assert sol5.DEEP_PRIOR_SETTINGS["inpainting_iterations"] == study["budget"]["inpainting_iterations"]
    assert deep_prior_report.markdown_table(study) in committed_results.doc("deep_prior.md")


def test_the_variants_are_compared_on_the_same_crops(quick_variants, committed_copy):
    result = quick_variants
    assert files.read_json(os.path.join(committed_copy.results, "deep_prior_variants_quick.json")) == result
    assert list(result["variants"]) == list(deep_prior_variants.VARIANTS)
    for row in result["variants"].values():
        assert row["best_mean_psnr"] == max(row["mean_psnr"])
        assert row["best_step"] == row["iterations"][row["mean_psnr"].index(row["best_mean_psnr"])]
    # the variants really differ: not one network under five names
    assert len({round(row["best_mean_psnr"], 6) for row in result["variants"].values()}) == len(
        result["variants"]
    )
    assert "| linear output, clipped |" in deep_prior_report.variants_table(result["variants"])


def test_the_docs_show_the_committed_variants(committed_results):
    variants = committed_results("deep_prior_variants.json")["variants"]
    assert deep_prior_report.variants_table(variants) in committed_results.doc("deep_prior.md")


def test_the_quick_studies_leave_the_committed_results_alone(quick_study, quick_variants, committed_copy):
    committed_copy.assert_only_variants_added("quick")
