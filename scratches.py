"""Random scratches, like those on an old print: masks for trying inpainting.

:func:`scratch_mask` draws thin random curves and lines until they cover a given share of the
image; the mask it returns is True where a pixel survived, which is what
``sol5.deep_prior_restore_image(..., mask=...)`` takes.
"""

import numpy as np
import scipy.ndimage
from skimage.draw import bezier_curve


def scratch_mask(shape, coverage=0.1, *, rng=None):
    """Return a mask of random scratches covering about ``coverage`` of an image.

    Each scratch is a quadratic Bezier curve (a straight line when its control point falls on
    the chord) between two random points, one or two pixels wide, a quarter to the whole of the
    image's diagonal long. Scratches are added until the covered share reaches ``coverage``.

    Parameters
    ----------
    shape : tuple of int
        ``(height, width)`` of the image, each at least 8.
    coverage : float, optional
        Share of the pixels to scratch, in (0, 0.5].
    rng : numpy.random.Generator, optional
        Source of the scratches; a fresh unseeded generator when omitted.

    Returns
    -------
    numpy.ndarray of bool
        ``shape``; True where the pixel is known, False under a scratch. The covered share is
        ``coverage`` or a little more (the last scratch is drawn whole).
    """
    if len(shape) != 2 or min(shape) < 8:
        raise ValueError(f"shape must be (height, width), each at least 8, got {shape!r}.")
    if not 0 < coverage <= 0.5:
        raise ValueError(f"coverage must be in (0, 0.5], got {coverage!r}.")
    rng = np.random.default_rng() if rng is None else rng
    height, width = shape
    scratched = np.zeros(shape, dtype=bool)
    diagonal = np.hypot(height, width)
    while scratched.mean() < coverage:
        start = rng.uniform((0, 0), (height, width))
        length = rng.uniform(0.25, 1.0) * diagonal
        direction = rng.uniform(0, 2 * np.pi)
        end = start + length * np.array([np.sin(direction), np.cos(direction)])
        # the control point: off the chord's middle by up to a quarter of the length
        bend = rng.uniform(-0.25, 0.25) * length * np.array([np.cos(direction), -np.sin(direction)])
        control = (start + end) / 2 + bend
        points = np.round(np.concatenate([start, control, end])).astype(int)
        rows, cols = bezier_curve(*points[:2], *points[2:4], *points[4:], weight=1.0, shape=shape)
        curve = np.zeros(shape, dtype=bool)
        curve[rows, cols] = True
        if rng.random() < 0.5:  # half of the scratches are two pixels wide
            curve = scipy.ndimage.binary_dilation(curve, structure=np.ones((2, 2), dtype=bool))
        scratched |= curve
    return ~scratched
