"""Colour images through grayscale models: the YCbCr split, and each method's use of the model."""

import numpy as np
import pytest
from skimage.color import rgb2gray

from sol5lab import colour


def colour_image(shape=(24, 32), seed=0):
    return np.random.default_rng(seed).random((*shape, 3))


def test_the_luma_is_rgb2grays_and_the_split_inverts_exactly():
    image = colour_image()
    ycbcr = colour.rgb_to_ycbcr(image)
    np.testing.assert_allclose(ycbcr[..., 0], rgb2gray(image), atol=1e-12)
    assert 0 <= ycbcr.min() and ycbcr.max() <= 1
    np.testing.assert_allclose(colour.ycbcr_to_rgb(ycbcr), image, atol=1e-12)
    grey = np.repeat(image[..., :1], 3, axis=-1)  # no colour: both differences at their middle
    np.testing.assert_allclose(colour.rgb_to_ycbcr(grey)[..., 1:], 0.5, atol=1e-12)


@pytest.mark.parametrize("method", colour.METHODS)
def test_each_method_feeds_the_model_its_planes(method):
    image = 0.4 + 0.2 * colour_image()  # pale colours: the changed luma leaves no channel out of [0, 1]
    seen = []

    def dim(plane):
        seen.append(plane.copy())
        return 0.9 * plane + 0.05

    restored = colour.restore_colour(image, dim, method)
    assert restored.shape == image.shape and restored.dtype == np.float32
    if method == "per-channel":
        assert len(seen) == 3
        np.testing.assert_allclose(restored, 0.9 * image + 0.05, atol=1e-6)
    else:
        assert len(seen) == 1
        np.testing.assert_allclose(seen[0], rgb2gray(image), atol=1e-6)  # the model sees the luma
        luma = colour.rgb_to_ycbcr(restored)[..., 0]
        np.testing.assert_allclose(luma, 0.9 * rgb2gray(image) + 0.05, atol=1e-5)


def test_kept_chroma_is_kept_and_smoothed_chroma_is_smooth():
    image = colour_image()
    chroma = colour.rgb_to_ycbcr(image)[..., 1:]
    kept = colour.restore_colour(image, lambda plane: plane, "luminance")
    np.testing.assert_allclose(kept, image, atol=1e-6)
    smoothed = colour.rgb_to_ycbcr(
        colour.restore_colour(image, lambda plane: plane, "luminance-smooth-chroma")
    )
    assert np.std(smoothed[..., 1:]) < 0.5 * np.std(chroma)
    np.testing.assert_allclose(smoothed[..., 1:].mean(), chroma.mean(), atol=0.01)
    assert colour.reach("luminance-smooth-chroma") == 8 and colour.reach("per-channel") == 0


@pytest.mark.parametrize("method", colour.METHODS)
def test_an_enlarging_model_enlarges_the_colour_too(method):
    image = colour_image((10, 12))
    restored = colour.restore_colour(image, lambda plane: np.kron(plane, np.ones((3, 3))), method, scale=3)
    assert restored.shape == (30, 36, 3)
    assert 0 <= restored.min() and restored.max() <= 1


def test_a_grey_image_goes_through_once_and_an_unknown_method_is_named():
    calls = []
    grey = colour_image()[..., 0]
    restored = colour.restore_colour(grey, lambda plane: calls.append(1) or plane, "per-channel")
    assert len(calls) == 1 and restored.shape == grey.shape
    with pytest.raises(ValueError, match="the methods are luminance"):
        colour.restore_colour(grey, lambda plane: plane, "hsv")
