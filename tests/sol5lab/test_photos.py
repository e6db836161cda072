"""Restoring and corrupting image files: tiles that agree with the whole, bit depth, alpha, seeds."""

import numpy as np
import pytest
import scipy.ndimage

import sol5
import sol5lab
from sol5lab import cli, colour, corruptions, image_files, photos, tasks
from sol5lab.image_files import ImageFile


def picture(shape, dtype=np.uint8, seed=0):
    """A smooth picture with texture, of ``shape`` (``(h, w)`` or ``(h, w, 3)``), in ``dtype``."""
    rng = np.random.default_rng(seed)
    values = scipy.ndimage.gaussian_filter(rng.random(shape), (2, 2, 0)[: len(shape)])
    values = (values - values.min()) / (values.max() - values.min())
    return image_files.from_unit(values, dtype)


@pytest.fixture(scope="module")
def small_model():
    """A random network of the assignment's shape whose correction is small, like a trained one's."""
    model = sol5.build_nn_model(16, 16, 8, 1)
    last = model.layers[-2]
    kernel, bias = last.get_weights()
    last.set_weights([kernel * 0.05, bias])
    return model


@pytest.mark.portable
@pytest.mark.parametrize("method", colour.METHODS)
def test_tiles_give_the_whole_images_restoration(small_model, method):
    image = ImageFile(planes=picture((70, 90, 3)), alpha=None, dtype=np.dtype(np.uint8))
    counted = []
    tiled = photos.restore_image_file(
        image,
        "denoising",
        small_model,
        method=method,
        tile_pixels=32 * 32,
        on_tile=lambda *done: counted.append(done),
    )
    whole = photos.restore_image_file(image, "denoising", small_model, method=method)
    assert len(counted) > 4 and counted[-1][0] == counted[-1][1] == len(counted)
    assert tiled.planes.dtype == np.uint8 and tiled.planes.shape == (70, 90, 3)
    # equal but for a sample rounded the other way at a level's half
    assert np.abs(tiled.planes.astype(int) - whole.planes.astype(int)).max() <= 1
    assert np.mean(tiled.planes != whole.planes) < 1e-3
    assert np.abs(whole.planes.astype(int) - image.planes.astype(int)).max() > 0  # it did restore


@pytest.mark.portable
def test_super_resolution_tiles_agree_and_enlarge_the_alpha(small_model):
    pixels = picture((100, 120, 3))
    alpha = picture((100, 120), seed=1)
    image = ImageFile(planes=pixels, alpha=alpha, dtype=np.dtype(np.uint8))
    counted = []
    tiled = photos.restore_image_file(
        image,
        "super_resolution",
        small_model,
        scale=2,
        tile_pixels=64 * 64,
        on_tile=lambda *done: counted.append(done),
    )
    whole = photos.restore_image_file(image, "super_resolution", small_model, scale=2)
    assert len(counted) > 1
    assert tiled.planes.shape == (200, 240, 3) and tiled.alpha.shape == (200, 240)
    # the spline reaches beyond any margin, faintly: two levels at most, on a few samples
    assert np.abs(tiled.planes.astype(int) - whole.planes.astype(int)).max() <= 2
    assert np.mean(tiled.planes != whole.planes) < 1e-3
    np.testing.assert_array_equal(tiled.alpha, whole.alpha)
    with pytest.raises(ValueError, match="scale must be one of"):
        photos.restore_image_file(image, "super_resolution", small_model, scale=5)
    with pytest.raises(ValueError, match="Only super-resolution enlarges"):
        photos.restore_image_file(image, "denoising", small_model, scale=2)


def test_16_bit_samples_come_out_16_bit_and_the_alpha_untouched(mean_filter_model, mean_filtered):
    pixels = picture((40, 50), np.uint16)
    alpha = picture((40, 50), np.uint16, seed=3)
    image = ImageFile(planes=pixels, alpha=alpha, dtype=np.dtype(np.uint16))
    restored = photos.restore_image_file(image, "denoising", mean_filter_model, tile_pixels=24 * 24)
    assert restored.planes.dtype == np.uint16
    expected = image_files.from_unit(mean_filtered(pixels / 65535), np.uint16)
    # within float32's rounding, far finer than 8 bits (a level of 8 bits is 257 of 16)
    assert np.abs(restored.planes.astype(int) - expected.astype(int)).max() <= 2
    assert np.any(restored.planes % 257 != 0)
    assert restored.alpha is alpha


def test_corruptions_keep_the_file_and_draw_from_the_seed():
    image = ImageFile(planes=picture((48, 64, 3)), alpha=picture((48, 64), seed=2), dtype=np.dtype(np.uint8))
    noisy = photos.corrupt_image_file(image, "denoising", {"sigma": 25 / 255}, seed=5)
    assert noisy.planes.dtype == np.uint8 and noisy.alpha is image.alpha
    np.testing.assert_array_equal(
        noisy.planes, photos.corrupt_image_file(image, "denoising", {"sigma": 25 / 255}, seed=5).planes
    )
    noise = noisy.planes.astype(int) - image.planes.astype(int)
    assert 20 < noise.std() < 30  # sigma 25 in 8-bit levels, a little less where clipped
    assert abs(np.corrcoef(noise[..., 0].ravel(), noise[..., 1].ravel())[0, 1]) < 0.1  # drawn per channel
    scratched = photos.corrupt_image_file(image, "scratches", {"coverage": 0.1}, seed=5).planes
    hit = scratched != image.planes
    assert hit.any()
    assert np.mean(hit.any(axis=-1) & ~hit.all(axis=-1)) < 0.01  # the same scratches in every channel
    small = photos.corrupt_image_file(image, "super_resolution", {"factor": 2}, seed=0)
    assert small.planes.shape == (24, 32, 3) and small.alpha.shape == (24, 32)
    np.testing.assert_array_equal(
        small.planes[..., 0],
        image_files.from_unit(corruptions.downscale(image.planes[..., 0] / 255, 2), np.uint8),
    )


def test_the_combined_corruption_is_one_mix_per_seed_and_the_same_in_every_channel():
    grey = picture((48, 64))
    image = ImageFile(planes=np.repeat(grey[..., None], 3, axis=-1), alpha=None, dtype=np.dtype(np.uint8))
    mixes = [photos.corrupt_image_file(image, "combined", {}, seed=seed).planes for seed in range(4)]
    for mixed in mixes:
        assert mixed.shape == image.planes.shape and mixed.dtype == np.uint8
        assert np.any(mixed != image.planes)  # never the empty mix
        # one draw of the mix and its strengths, replayed on each channel
        np.testing.assert_array_equal(mixed[..., 0], mixed[..., 2])
    # the grey plane's own corruption, drawn from the same seed
    expected = corruptions.add_combined_corruption(grey / 255, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(mixes[3][..., 1], image_files.from_unit(expected, np.uint8))
    assert len({mixed.tobytes() for mixed in mixes}) == 4  # each seed its own mix


def test_a_model_file_is_checked_and_a_shipped_model_is_found(tmp_path, small_model):
    import keras

    with pytest.raises(FileNotFoundError, match="no such file"):
        photos.load_model(str(tmp_path / "none.keras"))
    (tmp_path / "junk.keras").write_text("junk")
    with pytest.raises(ValueError, match="junk.keras: not a Keras model file"):
        photos.load_model(str(tmp_path / "junk.keras"))
    inputs = keras.Input((8, 8, 3))
    keras.Model(inputs, keras.layers.Conv2D(3, 3, padding="same")(inputs)).save(tmp_path / "rgb.keras")
    with pytest.raises(ValueError, match=r"rgb.keras must take grayscale images"):
        photos.load_model(str(tmp_path / "rgb.keras"))
    small_model.save(tmp_path / "small.keras")
    assert photos.load_model(str(tmp_path / "small.keras")).count_params() == small_model.count_params()
    assert photos.shipped_model("scratches") is None  # none ships: the command says how to get one
    assert photos.shipped_model("denoising").count_params() == sol5lab.pretrained("denoising").count_params()
    assert "make demo" in photos.model_hint("denoising") and "--model" in photos.model_hint("scratches")


def test_the_commands_names_cover_every_task_with_a_model_and_its_scales():
    assert set(cli.TASKS.values()) == {*tasks.ASSIGNMENT_TASKS, *tasks.COMPARED_TASKS, "combined"}
    assert set(cli.TASKS.values()) == set(photos.CORRUPTIONS)
    assert cli.SCALES == photos.SCALES == tuple(corruptions.SUPER_RESOLUTION["factors"])
