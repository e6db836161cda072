"""The classical methods: each restores what it is given, parameters are tuned on training images."""

import numpy as np
import pytest
import scipy.ndimage

from sol5lab import classical, tasks
from sol5lab.evaluation import image_quality


def text_like_image(shape=(96, 120), seed=0):
    """Dark strokes on a white page, like the text dataset."""
    rng = np.random.default_rng(seed)
    image = np.ones(shape)
    for _ in range(40):
        row, col = rng.integers(8, shape[0] - 8), rng.integers(8, shape[1] - 20)
        image[row : row + 2, col : col + rng.integers(3, 12)] = 0.1
    return image


def blurred_case(angle_degrees, image):
    condition = {"name": f"kernel 7, {angle_degrees} deg", "kernel_size": 7, "angle_degrees": angle_degrees}
    index = [c["name"] for c in tasks.TASKS["deblurring"].conditions].index(condition["name"])
    kernel = tasks.motion_kernel(condition)
    blurred = scipy.ndimage.convolve(image, kernel)  # reflected borders, as the assignment's blur
    return {"clean": image, "corrupted": blurred, "condition_index": index}


@pytest.mark.parametrize("angle", [0, 45, 135])
def test_wiener_with_the_true_kernel_undoes_the_blur(angle):
    case = blurred_case(angle, text_like_image())
    before = image_quality(case["clean"], case["corrupted"])["psnr"]
    restored, seconds = classical.apply_method("deblurring", "Wiener", case, 1e-5)
    assert image_quality(case["clean"], restored)["psnr"] > max(before + 15, 35)
    assert seconds >= 0 and restored.min() >= 0 and restored.max() <= 1


def test_wiener_with_a_wrong_direction_does_not():
    """The test above is not passing by accident: the kernel's direction matters."""
    case = blurred_case(45, text_like_image())
    case["condition_index"] = 3  # pretend it was blurred at 135 degrees
    restored, _ = classical.apply_method("deblurring", "Wiener", case, 1e-5)
    assert image_quality(case["clean"], restored)["psnr"] < 25


def test_richardson_lucy_sharpens_with_more_iterations():
    case = blurred_case(90, text_like_image())
    scores = [
        image_quality(case["clean"], classical.apply_method("deblurring", "Richardson-Lucy", case, n)[0])[
            "psnr"
        ]
        for n in (5, 80)
    ]
    before = image_quality(case["clean"], case["corrupted"])["psnr"]
    assert before < scores[0] < scores[1]
    assert scores[1] > before + 4


@pytest.mark.parametrize("method", ["BM3D", "non-local means", "total variation"])
def test_denoisers_given_sigma_remove_most_of_the_noise(method):
    rows, cols = np.mgrid[0:96, 0:96]
    clean = 0.5 + 0.3 * np.sin(rows / 7) * np.cos(cols / 9)
    sigma_index = 1  # 25/255
    sigma = tasks.TASKS["denoising"].conditions[sigma_index]["sigma"]
    noisy = clean + np.random.default_rng(0).normal(0, sigma, clean.shape)
    case = {"clean": clean, "corrupted": noisy, "condition_index": sigma_index}
    parameter = {"BM3D": None, "non-local means": 0.6, "total variation": 1.0}[method]
    restored, _ = classical.apply_method("denoising", method, case, parameter)
    assert image_quality(clean, restored)["psnr"] > image_quality(clean, noisy)["psnr"] + 6


def test_the_parameter_is_the_best_of_the_grid_on_the_tuning_cases(monkeypatch):
    clean = np.full((32, 32), 0.5)
    tuning = [{"condition": "c", "condition_index": 0, "clean": clean, "corrupted": clean + 0.2}]
    method = {
        "restore": lambda image, condition, shift: image - shift,
        "parameter": "shift",
        "grid": (0.0, 0.1, 0.2, 0.3),
    }
    monkeypatch.setitem(classical.METHODS["denoising"], "shift", method)
    chosen, scores = classical.choose_parameter("denoising", "shift", {"name": "c"}, tuning)
    assert chosen == 0.2
    assert set(scores) == {0.0, 0.1, 0.2, 0.3} and max(scores.values()) == scores[0.2]
    # only the cases of the asked condition count
    other = [{**tuning[0], "condition": "d", "corrupted": clean + 0.1}]
    assert classical.choose_parameter("denoising", "shift", {"name": "c"}, tuning + other)[0] == 0.2
