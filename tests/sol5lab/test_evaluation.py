"""PSNR and SSIM of restorations."""

import numpy as np
import pytest

from sol5lab.evaluation import image_quality, mean_quality


def test_psnr_matches_its_definition_and_ssim_is_one_for_identical_images():
    clean = np.random.default_rng(0).random((32, 32))
    noisy = np.clip(clean + 0.05 * np.random.default_rng(1).standard_normal((32, 32)), 0, 1)
    quality = image_quality(clean, noisy)
    assert quality["psnr"] == pytest.approx(10 * np.log10(1 / np.mean((clean - noisy) ** 2)))
    assert quality["ssim"] < 1
    with np.errstate(divide="ignore"):
        identical = image_quality(clean, clean)
    assert identical["ssim"] == pytest.approx(1.0) and identical["psnr"] == np.inf


def test_mean_quality_and_errors():
    assert mean_quality([{"psnr": 20, "ssim": 0.5}, {"psnr": 30, "ssim": 0.7}]) == {"psnr": 25, "ssim": 0.6}
    with pytest.raises(ValueError, match="same shape"):
        image_quality(np.zeros((4, 4)), np.zeros((4, 5)))
    with pytest.raises(ValueError, match="No measurements"):
        mean_quality([])
