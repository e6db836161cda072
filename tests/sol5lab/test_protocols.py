"""The held-out cases: fixed, seeded corruptions of the test images, the same in every experiment."""

import numpy as np
import pytest
import scipy.ndimage

import sol5_utils
from sol5lab import corruptions, protocols, tasks


@pytest.fixture(scope="module")
def denoising_cases(datasets):
    return protocols.cases("denoising", max_images=2)


def test_every_image_meets_every_condition_in_image_major_order(denoising_cases):
    names = sorted(sol5_utils.dataset_images("image_dataset", "test"))[:2]
    conditions = [condition["name"] for condition in tasks.TASKS["denoising"].conditions]
    expected = [(name.split("/")[-1], condition) for name in names for condition in conditions]
    assert [(case["image"], case["condition"]) for case in denoising_cases] == expected


def test_cases_are_the_same_in_every_call(denoising_cases):
    again = protocols.cases("denoising", max_images=2)
    for first, second in zip(denoising_cases, again, strict=True):
        np.testing.assert_array_equal(first["corrupted"], second["corrupted"])


def test_noise_has_each_conditions_sigma_and_differs_between_cases(denoising_cases):
    residuals = []
    for case in denoising_cases:
        sigma = tasks.TASKS["denoising"].conditions[case["condition_index"]]["sigma"]
        residual = case["corrupted"] - case["clean"]
        # away from 0 and 1, where clipping would shrink the noise (the strongest noise has to be
        # measured closer to clipping, so its tolerance is wider)
        margin = min(3 * sigma, 0.45)
        unclipped = (case["clean"] > margin) & (case["clean"] < 1 - margin)
        assert unclipped.sum() > 1000
        assert residual[unclipped].std() == pytest.approx(sigma, rel=0.05 if margin == 3 * sigma else 0.1)
        assert abs(residual[unclipped].mean()) < sigma / 20
        residuals.append(residual / sigma)
    # each case draws its own noise: no two normalized residuals are alike
    first, second = residuals[0].ravel(), residuals[1].ravel()
    assert abs(np.corrcoef(first, second)[0, 1]) < 0.2


def test_blur_is_the_exact_motion_convolution_on_8_bit_levels(datasets):
    cases = protocols.cases("deblurring", max_images=1)
    assert len(cases) == len(tasks.TASKS["deblurring"].conditions)
    for case in cases:
        condition = tasks.TASKS["deblurring"].conditions[case["condition_index"]]
        kernel = sol5_utils.motion_blur_kernel(7, np.deg2rad(condition["angle_degrees"]))
        np.testing.assert_array_equal(tasks.motion_kernel(condition), kernel)
        expected = np.round(scipy.ndimage.convolve(case["clean"], kernel) * 255) / 255
        np.testing.assert_allclose(case["corrupted"], expected, atol=1e-12)
    # four directions give four different images
    assert len({case["corrupted"].tobytes() for case in cases}) == 4


def test_tuning_cases_come_from_training_images_with_their_own_seed(datasets):
    tuning = protocols.cases("denoising", max_images=1, split="train", seed=protocols.SEED + 1)
    train_name = sorted(sol5_utils.dataset_images("image_dataset", "train"))[0].split("/")[-1]
    assert tuning[0]["image"] == train_name
    same_image = protocols.cases("denoising", max_images=1, split="train")
    assert not np.array_equal(tuning[0]["corrupted"], same_image[0]["corrupted"])


def test_making_a_case_leaves_the_image_alone():
    image = np.linspace(0, 1, 96 * 96).reshape(96, 96)
    copy = image.copy()
    for record in tasks.TASKS.values():
        for condition in record.conditions:
            record.make_case(condition, image, np.random.default_rng(0))
    np.testing.assert_array_equal(image, copy)


def test_unknown_task_is_refused():
    with pytest.raises(ValueError, match="Unknown task"):
        protocols.cases("inpainting")


def test_the_cases_are_the_stated_corruptions(datasets):
    cases = {task: protocols.cases(task, max_images=1) for task in tasks.COMPARED_TASKS}
    for case in cases["super_resolution"]:
        factor = case["parameters"]["factor"]
        assert all(side % factor == 0 for side in case["clean"].shape)
        np.testing.assert_array_equal(case["corrupted"], corruptions.downscale(case["clean"], factor))
        np.testing.assert_array_equal(case["alternative"], corruptions.add_downscaling(case["clean"], factor))
    for case in cases["jpeg_deblocking"]:
        np.testing.assert_array_equal(case["alternative"], case["corrupted"])
    for case in cases["salt_and_pepper"]:
        hit = case["corrupted"] != np.round(case["clean"] * 255) / 255
        assert hit.mean() == pytest.approx(case["parameters"]["amount"], abs=0.01)
        np.testing.assert_array_equal(case["alternative"], scipy.ndimage.median_filter(case["corrupted"], 3))
    for case in cases["scratches"]:
        scratched = np.abs(case["corrupted"] - case["clean"]) > 1e-9
        assert scratched.mean() <= case["parameters"]["coverage"] + 0.05
        # biharmonic was given the true mask: it keeps the known pixels (all but the few scratch
        # pixels painted with the clean pixel's own value, which this test takes for known)
        changed = np.abs(case["alternative"] - case["clean"])[~scratched] > 1e-9
        assert changed.mean() < 0.002
    # fixed seeds: the same cases every time
    again = protocols.cases("salt_and_pepper", max_images=1)
    np.testing.assert_array_equal(again[0]["corrupted"], cases["salt_and_pepper"][0]["corrupted"])


def test_max_side_cuts_the_central_window_before_the_corruption(denoising_cases):
    windowed = protocols.cases("denoising", max_images=1, max_side=100)
    whole = denoising_cases[0]["clean"]
    top, left = (whole.shape[0] - 100) // 2, (whole.shape[1] - 100) // 2
    for case in windowed:
        assert case["clean"].shape == case["corrupted"].shape == (100, 100)
        np.testing.assert_array_equal(case["clean"], whole[top : top + 100, left : left + 100])
        # the noise is drawn for the window, at the condition's strength
        sigma = case["parameters"]["sigma"]
        assert np.std(case["corrupted"] - case["clean"]) == pytest.approx(sigma, rel=0.25)


def test_a_window_larger_than_a_side_keeps_that_side_whole():
    image = np.arange(6 * 20.0).reshape(6, 20)
    np.testing.assert_array_equal(protocols.central_window(image, 8), image[:, 6:14])
