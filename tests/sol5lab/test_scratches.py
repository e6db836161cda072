"""Random scratch masks for inpainting."""

import numpy as np
import pytest
import scipy.ndimage

from sol5lab.scratches import scratch_mask


@pytest.mark.parametrize("shape", [(64, 64), (256, 256), (40, 90)])
def test_covers_the_asked_share_and_a_little_more(shape):
    mask = scratch_mask(shape, 0.1, rng=np.random.default_rng(3))
    assert mask.shape == shape and mask.dtype == bool
    assert 0.1 <= 1 - mask.mean() < 0.16


def test_scratches_are_thin_curves_not_blobs():
    mask = scratch_mask((256, 256), 0.1, rng=np.random.default_rng(4))
    scratched = ~mask
    # opening with a 4x4 square removes everything thinner (all but a few crossings)
    assert scipy.ndimage.binary_opening(scratched, structure=np.ones((4, 4))).sum() < 0.03 * scratched.sum()
    # and they are long: few connected pieces for that many pixels
    _, pieces = scipy.ndimage.label(scratched, structure=np.ones((3, 3)))
    assert scratched.sum() / pieces > 40


def test_seeded_masks_repeat_and_differ_between_seeds():
    first = scratch_mask((64, 64), 0.1, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(first, scratch_mask((64, 64), 0.1, rng=np.random.default_rng(5)))
    assert not np.array_equal(first, scratch_mask((64, 64), 0.1, rng=np.random.default_rng(6)))


def test_every_region_can_be_scratched():
    hits = np.zeros((64, 64))
    for seed in range(60):
        hits += ~scratch_mask((64, 64), 0.1, rng=np.random.default_rng(seed))
    quadrants = [hits[:32, :32], hits[:32, 32:], hits[32:, :32], hits[32:, 32:]]
    assert all(quadrant.mean() > 0.05 * 60 for quadrant in quadrants)
    assert hits[0].sum() > 0 and hits[-1].sum() > 0 and hits[:, 0].sum() > 0 and hits[:, -1].sum() > 0


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="shape"):
        scratch_mask((4, 64))
    with pytest.raises(ValueError, match="coverage"):
        scratch_mask((64, 64), 0.0)
    with pytest.raises(ValueError, match="coverage"):
        scratch_mask((64, 64), 0.9)
