"""Restoring with a model where restore_image alone does not say how: super-resolution."""

import numpy as np
import scipy.ndimage

import sol5
from sol5lab import corruptions, inference


def photo(shape=(96, 96), seed=0):
    """A smooth image with some texture, on 8-bit levels."""
    rng = np.random.default_rng(seed)
    image = scipy.ndimage.gaussian_filter(rng.random(shape), 2) + 0.05 * rng.random(shape)
    return sol5.quantize_8bit((image - image.min()) / (image.max() - image.min()))


def test_super_resolve_image_enlarges_and_matches_training():
    model = sol5.build_nn_model(16, 16, 8, 1)
    image = photo((48, 36))
    low = corruptions.downscale(image, 3)
    kept = low.copy()
    enlarged = inference.super_resolve_image(low, model, 3)
    assert enlarged.shape == (48, 36) and enlarged.dtype == np.float64
    np.testing.assert_array_equal(low, kept)
    # the network sees exactly what the training corruption made of the original
    np.testing.assert_allclose(
        enlarged, sol5.restore_image(corruptions.add_downscaling(image, 3), model), atol=1e-6
    )
    assert inference.super_resolve_image(corruptions.downscale(image, 2), model, 2).shape == (48, 36)


def test_restore_with_enlarges_only_for_super_resolution():
    model = sol5.build_nn_model(16, 16, 8, 1)
    image = photo((48, 36))
    low = corruptions.downscale(image, 2)
    np.testing.assert_array_equal(
        inference.restore_with("super_resolution", model, low, {"factor": 2}),
        inference.super_resolve_image(low, model, 2),
    )
    np.testing.assert_array_equal(
        inference.restore_with("jpeg_deblocking", model, image, {"quality": 20}),
        sol5.restore_image(image, model),
    )
