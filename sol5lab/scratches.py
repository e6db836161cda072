"""Random scratches, like those on an old print: masks for trying inpainting.

:func:`scratch_mask` draws thin random curves and lines until they cover a given share of the
image; the mask it returns is True where a pixel survived, which is what
``sol5.deep_prior_restore_image(..., mask=...)`` takes. :func:`draw_scratches` paints such
scratches onto an image, each bright or dark like a scratch on an old print, and returns the
mask with it (``sol5lab.corruptions.add_scratches`` is the corruption built on it).
"""

import numpy as np
import scipy.ndimage
from skimage.draw import bezier_curve

#: The intensity ranges of a painted scratch: dark (ink, dirt) or bright (torn emulsion).
DARK_SCRATCH = (0.0, 0.15)
BRIGHT_SCRATCH = (0.85, 1.0)


def _check(shape, coverage):
    if len(shape) != 2 or min(shape) < 8:
        raise ValueError(f"shape must be (height, width), each at least 8, got {shape!r}.")
    if not 0 < coverage <= 0.5:
        raise ValueError(f"coverage must be in (0, 0.5], got {coverage!r}.")


def _scratches(shape, coverage, rng):
    """Yield one bool image per scratch until together they cover ``coverage`` of ``shape``."""
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
        yield curve


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
    _check(shape, coverage)
    rng = np.random.default_rng() if rng is None else rng
    scratched = np.zeros(shape, dtype=bool)
    for curve in _scratches(shape, coverage, rng):
        scratched |= curve
    return ~scratched


def draw_scratches(image, coverage=0.1, *, rng=None):
    """Paint random scratches onto an image, as on an old print.

    The scratches are those of :func:`scratch_mask` (same draws for the same ``rng`` state);
    each is painted in one intensity, dark (uniform in :data:`DARK_SCRATCH`) or bright (in
    :data:`BRIGHT_SCRATCH`) with equal probability; a later scratch covers an earlier one.

    Parameters
    ----------
    image : numpy.ndarray
        Grayscale image, 2-D, float64 in [0, 1], each side at least 8; not modified.
    coverage : float, optional
        Share of the pixels to scratch, in (0, 0.5].
    rng : numpy.random.Generator, optional
        Source of the scratches and their intensities; a fresh unseeded generator when omitted.

    Returns
    -------
    scratched : numpy.ndarray
        float64 in [0, 1], the image's shape.
    mask : numpy.ndarray of bool
        True where the pixel is the image's own, False under a scratch.
    """
    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError(f"image must be a 2-D grayscale array, got shape {image.shape}.")
    _check(image.shape, coverage)
    rng = np.random.default_rng() if rng is None else rng
    scratched = image.astype(np.float64)  # a copy: the input is never modified
    mask = np.ones(image.shape, dtype=bool)
    curves = list(_scratches(image.shape, coverage, rng))  # first, so the mask is scratch_mask's
    for curve in curves:
        mask &= ~curve
        scratched[curve] = rng.uniform(*(DARK_SCRATCH if rng.random() < 0.5 else BRIGHT_SCRATCH))
    return scratched, mask
