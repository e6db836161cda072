"""The patch-context check: tiles restored alone, against the whole image."""

import keras
import numpy as np
import pytest

from sol5lab.experiments import patch_context


def identity_model():
    image = keras.Input((None, None, 1))
    return keras.Model(image, keras.layers.Identity()(image))


def box_blur_model():
    """A 3x3 mean: a network whose output near a tile's border depends on what lies beyond."""
    image = keras.Input((None, None, 1))
    layer = keras.layers.Conv2D(1, 3, padding="same", use_bias=False, kernel_initializer="ones")
    return keras.Model(image, keras.layers.Rescaling(1 / 9)(layer(image)))


def test_tiles_restored_alone_by_a_pointwise_network_are_the_whole_restoration():
    image = np.random.default_rng(0).uniform(0, 1, (37, 50))
    tiled = patch_context.tiled_restoration(image, identity_model(), 16)
    np.testing.assert_allclose(tiled, image[:32, :48], atol=1e-6)


def test_a_network_that_reaches_past_the_tile_differs_only_at_the_tiles_borders():
    image = np.random.default_rng(1).uniform(0.2, 0.8, (32, 32))
    tiled = patch_context.tiled_restoration(image, box_blur_model(), 16)
    inner = np.ones((32, 32), bool)
    inner[[0, 15, 16, 31], :] = inner[:, [0, 15, 16, 31]] = False
    whole = np.clip(
        keras.ops.convert_to_numpy(box_blur_model()(image[None, :, :, None] - 0.5))[0, :, :, 0] + 0.5, 0, 1
    )
    np.testing.assert_allclose(tiled[inner], whole[inner], atol=1e-5)
    assert np.abs(tiled[~inner] - whole[~inner]).max() > 0.01


def test_with_an_identity_network_the_three_scores_agree(datasets):
    scores = patch_context.compare(identity_model(), "deblurring", max_images=1)
    assert scores["cases"] == 4 and scores["patch_side"] == 16
    assert scores["whole"] == pytest.approx(scores["corrupted"], abs=1e-6)
    assert scores["tiles"] == pytest.approx(scores["corrupted"], abs=1e-6)
