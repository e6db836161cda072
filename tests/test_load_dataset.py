"""Section 3: load_dataset's patches, crops, cache and errors."""

import imageio.v3 as iio
import numpy as np
import pytest

import sol5


def identity(image):
    return image


def write_png(path, image):
    iio.imwrite(path, image.astype(np.uint8))
    return str(path)


def test_batches_have_the_documented_shape_dtype_and_range(image_files):
    batches = sol5.load_dataset(image_files, 7, identity, (12, 10))
    for _ in range(3):
        source, target = next(batches)
        assert source.shape == target.shape == (7, 12, 10, 1)
        assert source.dtype == target.dtype == np.float64
        assert -0.5 <= target.min() and target.max() <= 0.5


def test_source_is_the_corruption_of_the_same_patch(image_files):
    """An invertible corruption pairs every corrupted patch with its clean patch, pixel for pixel."""
    source, target = next(sol5.load_dataset(image_files, 50, lambda image: 1.0 - image, (8, 8)))
    np.testing.assert_allclose(source, -target, atol=1e-6)


def test_target_is_a_real_patch_minus_one_half(image_files):
    images = [sol5.read_image(path, sol5.GRAYSCALE) for path in image_files]
    _, target = next(sol5.load_dataset(image_files, 20, identity, (6, 9)))
    # every 6x9 window of every image, searched at once (a loop over them took 11 s)
    windows = [np.lib.stride_tricks.sliding_window_view(image, (6, 9)) for image in images]
    for patch in target[..., 0].astype(np.float64) + 0.5:
        assert any(np.all(np.abs(window - patch) <= 1e-6, axis=(2, 3)).any() for window in windows)


def test_every_patch_position_is_reachable(tmp_path):
    """A 9x9 image and 2x3 patches: a 6x9 corrupted crop, then the patch; every corner reachable."""
    image = np.arange(81).reshape(9, 9)
    path = write_png(tmp_path / "grid.png", image)
    _, target = next(sol5.load_dataset([path], 4000, identity, (2, 3)))
    corners = np.rint((target[:, 0, 0, 0] + 0.5) * 255).astype(int)
    rows, cols = np.divmod(corners, 9)
    reached = set(zip(rows.tolist(), cols.tolist(), strict=True))
    assert reached == {(r, c) for r in range(9 - 2 + 1) for c in range(9 - 3 + 1)}


def test_corruption_sees_the_three_times_larger_crop(image_files):
    shapes = []

    def recording(image):
        shapes.append(image.shape)
        return image

    next(sol5.load_dataset(image_files, 10, recording, (8, 11)))
    assert shapes == [(24, 33)] * 10


def test_small_image_gets_the_largest_crop_that_fits(tmp_path):
    path = write_png(tmp_path / "small.png", np.full((20, 14), 100))
    shapes = []

    def recording(image):
        shapes.append(image.shape)
        return image

    source, _ = next(sol5.load_dataset([path], 5, recording, (10, 8)))
    assert source.shape == (5, 10, 8, 1)
    assert shapes == [(20, 14)] * 5


def test_image_smaller_than_a_patch_is_a_clear_error(tmp_path):
    path = write_png(tmp_path / "tiny.png", np.zeros((5, 30)))
    with pytest.raises(ValueError, match="smaller than the 8x8 patches"):
        next(sol5.load_dataset([path], 2, identity, (8, 8)))


def test_images_are_read_once_then_served_from_the_cache(image_files, monkeypatch):
    reads = []
    real_read = sol5.read_image
    monkeypatch.setattr(sol5, "read_image", lambda name, rep: reads.append(name) or real_read(name, rep))
    batches = sol5.load_dataset(image_files[:2], 40, identity, (8, 8))
    next(batches)
    assert sorted(reads) == sorted(image_files[:2])
    for path in image_files[:2]:  # the files may even disappear after their first use
        __import__("os").remove(path)
    for _ in range(5):
        next(batches)
    assert len(reads) == 2


def test_corruption_cannot_damage_the_cached_image(image_files):
    def destructive(image):
        image[...] = 0.0
        return image

    batches = sol5.load_dataset(image_files[:1], 20, destructive, (8, 8))
    for _ in range(3):
        source, target = next(batches)
        assert np.all(source == -0.5)
        assert target.std() > 0.01


def test_same_seed_gives_the_same_batches(image_files):
    first = next(sol5.load_dataset(image_files, 8, identity, (8, 8), rng=np.random.default_rng(3)))
    second = next(sol5.load_dataset(image_files, 8, identity, (8, 8), rng=np.random.default_rng(3)))
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    third = next(sol5.load_dataset(image_files, 8, identity, (8, 8), rng=np.random.default_rng(4)))
    assert not np.array_equal(first[1], third[1])


def test_files_are_chosen_uniformly(tmp_path):
    levels = [10, 60, 110, 160, 210]
    paths = [write_png(tmp_path / f"level_{level}.png", np.full((30, 30), level)) for level in levels]
    _, target = next(sol5.load_dataset(paths, 2000, identity, (4, 4)))
    drawn = np.rint((target[:, 0, 0, 0] + 0.5) * 255).astype(int)
    counts = np.array([np.count_nonzero(drawn == level) for level in levels])
    assert counts.sum() == 2000
    assert counts.min() > 330 and counts.max() < 470  # 400 each; beyond 3.5 sigma otherwise


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        (([], 4, identity, (8, 8)), ValueError, "empty"),
        ((["/no/such/file.png"], 4, identity, (8, 8)), FileNotFoundError, "not found"),
        ((None, 0, identity, (8, 8)), ValueError, "batch_size"),
        ((None, 4, "noise", (8, 8)), TypeError, "callable"),
        ((None, 4, identity, (8,)), ValueError, "crop_size"),
        ((None, 4, identity, (8, 0)), ValueError, "crop_size"),
        ((None, 4, identity, 8), ValueError, "crop_size"),
    ],
)
def test_bad_arguments_are_refused_at_the_call(image_files, arguments, error, message):
    filenames = image_files if arguments[0] is None else arguments[0]
    with pytest.raises(error, match=message):
        sol5.load_dataset(filenames, *arguments[1:])


def test_wrong_shaped_corruption_is_a_clear_error(image_files):
    with pytest.raises(ValueError, match="keep the shape"):
        next(sol5.load_dataset(image_files, 2, lambda image: image[1:], (8, 8)))
