"""The held-out cases: fixed, seeded corruptions of the test images, the same in every experiment."""

import numpy as np
import pytest
import scipy.ndimage

import heldout
import sol5
import sol5_utils


@pytest.fixture(scope="module")
def denoising_cases(datasets):
    return heldout.cases("denoising", max_images=2)


def test_every_image_meets_every_condition_in_image_major_order(denoising_cases):
    names = sorted(sol5_utils.dataset_images("image_dataset", "test"))[:2]
    conditions = [condition["name"] for condition in heldout.CONDITIONS["denoising"]]
    expected = [(name.split("/")[-1], condition) for name in names for condition in conditions]
    assert [(case["image"], case["condition"]) for case in denoising_cases] == expected


def test_cases_are_the_same_in_every_call(denoising_cases):
    again = heldout.cases("denoising", max_images=2)
    for first, second in zip(denoising_cases, again, strict=True):
        np.testing.assert_array_equal(first["corrupted"], second["corrupted"])


def test_noise_has_each_conditions_sigma_and_differs_between_cases(denoising_cases):
    residuals = []
    for case in denoising_cases:
        sigma = heldout.CONDITIONS["denoising"][case["condition_index"]]["sigma"]
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
    cases = heldout.cases("deblurring", max_images=1)
    assert len(cases) == len(heldout.CONDITIONS["deblurring"])
    for case in cases:
        condition = heldout.CONDITIONS["deblurring"][case["condition_index"]]
        kernel = sol5_utils.motion_blur_kernel(7, np.deg2rad(condition["angle_degrees"]))
        np.testing.assert_array_equal(heldout.motion_kernel(condition), kernel)
        expected = np.round(scipy.ndimage.convolve(case["clean"], kernel) * 255) / 255
        np.testing.assert_allclose(case["corrupted"], expected, atol=1e-12)
    # four directions give four different images
    assert len({case["corrupted"].tobytes() for case in cases}) == 4


def test_tuning_cases_come_from_training_images_with_their_own_seed(datasets):
    tuning = heldout.cases("denoising", max_images=1, split="train", seed=heldout.SEED + 1)
    train_name = sorted(sol5_utils.dataset_images("image_dataset", "train"))[0].split("/")[-1]
    assert tuning[0]["image"] == train_name
    same_image = heldout.cases("denoising", max_images=1, split="train")
    assert not np.array_equal(tuning[0]["corrupted"], same_image[0]["corrupted"])


def test_corrupt_leaves_the_image_alone():
    image = np.linspace(0, 1, 64 * 64).reshape(64, 64)
    copy = image.copy()
    for condition in heldout.CONDITIONS["denoising"] + heldout.CONDITIONS["deblurring"]:
        heldout.corrupt(condition, image, np.random.default_rng(0))
    np.testing.assert_array_equal(image, copy)
    assert sol5.GRAYSCALE == 1  # the cases are read as grayscale


def test_unknown_task_is_refused():
    with pytest.raises(ValueError, match="Unknown task"):
        heldout.cases("inpainting")
