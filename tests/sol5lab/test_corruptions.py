"""The lab's corruptions: each one's statistics, super-resolution's geometry, JPEG's block grid."""

import collections
import itertools

import numpy as np
import pytest
import scipy.ndimage

import sol5
from sol5lab import corruptions
from sol5lab.scratches import BRIGHT_SCRATCH, DARK_SCRATCH, draw_scratches, scratch_mask


def photo(shape=(96, 96), seed=0):
    """A smooth image with some texture, on 8-bit levels."""
    rng = np.random.default_rng(seed)
    image = scipy.ndimage.gaussian_filter(rng.random(shape), 2) + 0.05 * rng.random(shape)
    return sol5.quantize_8bit((image - image.min()) / (image.max() - image.min()))


# --------------------------------------------------------------------------- super-resolution


@pytest.mark.parametrize("factor", [2, 3, 4])
def test_the_corruption_is_exactly_downscale_then_upscale(factor):
    image = photo((60, 84))
    low = corruptions.downscale(image, factor)
    assert low.shape == (round(60 / factor), round(84 / factor))
    np.testing.assert_array_equal(low, np.round(low * 255) / 255)  # stored as 8 bits
    corrupted = corruptions.add_downscaling(image, factor)
    np.testing.assert_array_equal(corrupted, corruptions.upscale(low, image.shape))
    assert corrupted.shape == image.shape and 0 <= corrupted.min() and corrupted.max() <= 1
    # it loses detail, more so at larger factors
    assert np.abs(corrupted - image).mean() > 0.005


def test_larger_factors_lose_more():
    image = photo((96, 96))
    errors = [np.abs(corruptions.add_downscaling(image, factor) - image).mean() for factor in (2, 3, 4)]
    assert errors == sorted(errors)


def test_random_downscaling_draws_every_factor():
    image = photo((48, 48))
    expected = {factor: corruptions.add_downscaling(image, factor) for factor in (2, 3, 4)}
    seen = set()
    for seed in range(30):
        corrupted = corruptions.random_downscaling(image, (2, 3, 4), rng=np.random.default_rng(seed))
        seen |= {factor for factor, result in expected.items() if np.array_equal(result, corrupted)}
    assert seen == {2, 3, 4}


def test_super_resolution_rejects_bad_factors():
    with pytest.raises(ValueError, match="factor"):
        corruptions.downscale(photo(), 0)
    with pytest.raises(ValueError, match="factor"):
        corruptions.add_downscaling(photo(), 2.5)
    with pytest.raises(ValueError, match="too small"):
        corruptions.downscale(photo((8, 8)), 9)
    with pytest.raises(ValueError, match="factors"):
        corruptions.random_downscaling(photo(), [])


# ---------------------------------------------------------------------------------------- JPEG


def test_a_crop_on_the_block_grid_compresses_as_the_whole_image_does():
    """Grayscale baseline JPEG codes 8x8 blocks independently: the corruption of a crop that
    starts on the grid is the same region of the whole image's JPEG."""
    image = photo((160, 200), seed=1)
    whole = corruptions.add_jpeg_compression(image, 20)
    np.testing.assert_array_equal(
        corruptions.add_jpeg_compression(image[40:112, 64:136], 20), whole[40:112, 64:136]
    )
    # off the grid the blocks differ: the grid's place matters, and is the crop's corner
    assert (
        np.abs(corruptions.add_jpeg_compression(image[43:115, 61:133], 20) - whole[43:115, 61:133]).max()
        > 0.02
    )


def test_jpeg_is_nearly_lossless_at_100_and_idempotent_ish():
    image = photo((64, 64), seed=2)
    best = corruptions.add_jpeg_compression(image, 100)
    assert np.abs(best - image).max() <= 2 / 255
    assert np.abs(corruptions.add_jpeg_compression(best, 100) - best).max() <= 1 / 255 + 1e-9
    once = corruptions.add_jpeg_compression(image, 20)
    twice = corruptions.add_jpeg_compression(once, 20)
    assert np.abs(twice - once).mean() < 0.1 * np.abs(once - image).mean()


def test_lower_quality_loses_more():
    image = photo((64, 64), seed=3)
    errors = [
        np.abs(corruptions.add_jpeg_compression(image, quality) - image).mean() for quality in (10, 30, 90)
    ]
    assert errors == sorted(errors, reverse=True)


def test_random_quality_stays_in_its_range_and_reaches_both_ends():
    image = photo((32, 32), seed=4)
    by_quality = {quality: corruptions.add_jpeg_compression(image, quality) for quality in range(10, 13)}
    seen = set()
    for seed in range(40):
        result = corruptions.random_jpeg_compression(image, 10, 12, rng=np.random.default_rng(seed))
        matches = {quality for quality, expected in by_quality.items() if np.array_equal(result, expected)}
        assert matches
        seen |= matches
    assert seen == {10, 11, 12}


def test_jpeg_rejects_bad_qualities():
    with pytest.raises(ValueError, match="quality"):
        corruptions.add_jpeg_compression(photo(), 0)
    with pytest.raises(ValueError, match="quality"):
        corruptions.random_jpeg_compression(photo(), 40, 10)


# ------------------------------------------------------------------------------ salt and pepper


GREY = 128 / 255  # on 8-bit levels, so that the corruptions' rounding keeps it


def test_salt_and_pepper_hits_the_asked_share_half_salt_half_pepper():
    image = np.full((256, 256), GREY)
    kept = image.copy()
    noisy = corruptions.add_salt_and_pepper(image, 0.1, 0.1, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(image, kept)
    salt, pepper = (noisy == 1).mean(), (noisy == 0).mean()
    # binomial standard deviation of the share: sqrt(0.1 * 0.9 / 65536) = 0.0012
    assert salt + pepper == pytest.approx(0.1, abs=0.005)
    assert salt == pytest.approx(0.05, abs=0.004)
    assert set(np.unique(noisy)) == {0.0, GREY, 1.0}


def test_the_amount_is_drawn_across_its_range():
    image = np.full((64, 64), GREY)
    shares = [
        (corruptions.add_salt_and_pepper(image, 0.0, 0.25, rng=np.random.default_rng(seed)) != GREY).mean()
        for seed in range(40)
    ]
    assert min(shares) < 0.04 and max(shares) > 0.21 and max(shares) < 0.27


def test_salt_and_pepper_rejects_bad_amounts():
    with pytest.raises(ValueError, match="amount"):
        corruptions.add_salt_and_pepper(photo(), 0.3, 0.2)
    with pytest.raises(ValueError, match="amount"):
        corruptions.add_salt_and_pepper(photo(), 0.1, 1.5)


# ------------------------------------------------------------------------------------ scratches


def test_drawn_scratches_are_the_masks_scratches_painted_dark_or_bright():
    image = photo((128, 128), seed=6)
    kept = image.copy()
    scratched, mask = draw_scratches(image, 0.1, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(image, kept)
    np.testing.assert_array_equal(mask, scratch_mask((128, 128), 0.1, rng=np.random.default_rng(7)))
    np.testing.assert_array_equal(scratched[mask], image[mask])
    values = scratched[~mask]
    dark = (values >= DARK_SCRATCH[0]) & (values <= DARK_SCRATCH[1])
    bright = (values >= BRIGHT_SCRATCH[0]) & (values <= BRIGHT_SCRATCH[1])
    assert (dark | bright).all() and dark.any() and bright.any()


def test_add_scratches_covers_a_share_in_its_range():
    image = np.full((96, 96), GREY)
    shares = [
        (corruptions.add_scratches(image, 0.02, 0.15, rng=np.random.default_rng(seed)) != GREY).mean()
        for seed in range(30)
    ]
    assert min(shares) >= 0.02 and max(shares) < 0.2
    assert max(shares) - min(shares) > 0.08


def test_scratches_reject_bad_coverage():
    with pytest.raises(ValueError, match="coverage"):
        corruptions.add_scratches(photo(), 0.0, 0.1)
    with pytest.raises(ValueError, match="coverage"):
        corruptions.add_scratches(photo(), 0.1, 0.6)


# ------------------------------------------------------------------------------------- combined


@pytest.fixture
def recorded_calls(monkeypatch):
    """The four corruptions replaced by recorders: a list to which each call of a drawing appends
    the list of the corruptions it applied, by task name, in order."""
    calls = []

    def recorder(name):
        def corruption(image, *args, **kwargs):
            calls[-1].append(name)
            return image

        return corruption

    for function, name in [
        ("add_scratches", "scratches"),
        ("random_downscaling", "super_resolution"),
        ("random_jpeg_compression", "jpeg_deblocking"),
        ("add_salt_and_pepper", "salt_and_pepper"),
    ]:
        monkeypatch.setattr(corruptions, function, recorder(name))
    return calls


def test_the_combined_corruption_applies_every_nonempty_subset_in_order(recorded_calls):
    calls = recorded_calls
    rng = np.random.default_rng(8)
    for _ in range(300):
        calls.append([])
        corruptions.add_combined_corruption(np.full((24, 24), 0.5), rng=rng)
    subsets = {tuple(call) for call in calls}
    expected = {
        subset
        for size in range(1, 5)
        for subset in itertools.combinations(corruptions.COMBINED_ORDER, size)  # combinations keep the order
    }
    assert subsets == expected and len(expected) == 15


@pytest.mark.parametrize("drawing", ["add_combined_corruption", "add_lone_corruption"])
def test_the_drawn_corruptions_are_seeded_and_corrupt(drawing):
    image = photo((96, 96), seed=9)
    first = getattr(corruptions, drawing)(image, rng=np.random.default_rng(10))
    np.testing.assert_array_equal(first, getattr(corruptions, drawing)(image, rng=np.random.default_rng(10)))
    assert first.shape == image.shape and np.abs(first - image).mean() > 0.001


def test_the_lone_corruption_applies_exactly_one_of_the_four_each_as_often(recorded_calls):
    calls = recorded_calls
    rng = np.random.default_rng(8)
    for _ in range(400):
        calls.append([])
        corruptions.add_lone_corruption(np.full((24, 24), 0.5), rng=rng)
    assert all(len(call) == 1 for call in calls)
    counts = collections.Counter(call[0] for call in calls)
    assert set(counts) == set(corruptions.COMBINED_ORDER)
    assert all(70 <= count <= 130 for count in counts.values())  # 100 expected, sd 8.7
