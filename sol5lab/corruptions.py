"""The corruptions beyond the assignment's two: super-resolution, JPEG, salt-and-pepper, scratches,
and all of them at once.

The tasks come from the papers in the assignment's seeds: super-resolution from the assignment's
section 7.4, JPEG deblocking, salt-and-pepper noise and one model for all of them from the MemNet
study, scratches from the old-photo restoration paper. Every corruption takes a 2-D float64 image
in [0, 1], never modifies it, and returns a new one of the same shape, rounded to 8-bit levels
like an image file; every random draw goes through an ``rng`` (``sol5``'s seedable generator
when omitted). The task registry (:mod:`sol5lab.tasks`) turns them into training corruptions.
"""

import io

import imageio.v3 as iio
import numpy as np
from skimage.transform import resize

import sol5
from sol5lab.scratches import draw_scratches

#: The corruptions' ranges, shared by the single-task rows and the combined one.
SUPER_RESOLUTION = {"factors": (2, 3, 4)}
JPEG = {"min_quality": 10, "max_quality": 40}
SALT_AND_PEPPER = {"min_amount": 0.0, "max_amount": 0.25}
SCRATCHES = {"min_coverage": 0.02, "max_coverage": 0.15}

#: The ranges of the combined corruption: every single one's.
COMBINED_RANGES = {**SUPER_RESOLUTION, **JPEG, **SALT_AND_PEPPER, **SCRATCHES}

#: The interpolation of super-resolution, down and up: scikit-image's cubic spline (order 3).
INTERPOLATION_ORDER = 3

#: The order in which the combined corruption applies the ones it draws: scratches on the print,
#: a low-resolution scan of it, saved as JPEG, then impulse noise in transmission.
COMBINED_ORDER = ("scratches", "super_resolution", "jpeg_deblocking", "salt_and_pepper")


def _check_range(low, high, name, upper):
    if not 0 <= low <= high <= upper:
        raise ValueError(f"Need 0 <= min_{name} <= max_{name} <= {upper}, got {low!r} and {high!r}.")


# --------------------------------------------------------------------------------------------
# Super-resolution (the assignment's section 7.4).
# --------------------------------------------------------------------------------------------


def check_factor(factor):
    """Return ``factor`` as an int, or raise ValueError unless it is a positive integer
    (TypeError unless it is a number)."""
    return sol5.check_int(factor, "factor")


def downscale(image, factor):
    """Return the low-resolution image that a camera ``factor`` times coarser would record.

    Parameters
    ----------
    image : numpy.ndarray
        Grayscale image, 2-D, float64 in [0, 1], each side at least ``factor``; not modified.
    factor : int
        Positive integer.

    Returns
    -------
    numpy.ndarray
        Shape ``(round(height / factor), round(width / factor))``: resized with the cubic
        spline after a Gaussian anti-aliasing filter (scikit-image's ``resize``), rounded to
        8-bit levels.
    """
    image = sol5.check_image(image)
    factor = check_factor(factor)
    if min(image.shape) < factor:
        raise ValueError(f"An image of shape {image.shape} is too small to downscale {factor} times.")
    shape = (round(image.shape[0] / factor), round(image.shape[1] / factor))
    return sol5.quantize_8bit(resize(image, shape, order=INTERPOLATION_ORDER, anti_aliasing=True))


def upscale(image, shape):
    """Return ``image`` interpolated to ``shape`` with the cubic spline, clipped to [0, 1]."""
    return np.clip(resize(image, shape, order=INTERPOLATION_ORDER, anti_aliasing=False), 0.0, 1.0)


def add_downscaling(image, factor):
    """Downscale an image ``factor`` times and upscale it back to its size: what the
    super-resolution network learns to undo.

    Parameters
    ----------
    image : numpy.ndarray
        Grayscale image, 2-D, float64 in [0, 1]; not modified.
    factor : int
        Positive integer.

    Returns
    -------
    numpy.ndarray
        ``upscale(downscale(image, factor), image.shape)``: float64 in [0, 1], the image's shape.
    """
    return upscale(downscale(image, factor), np.shape(image))


def random_downscaling(image, factors, *, rng=None):
    """:func:`add_downscaling` by a factor drawn with equal probability from ``factors``."""
    factors = list(factors)
    if not factors:
        raise ValueError("factors must be a non-empty list of positive integers.")
    rng = sol5.random_generator(rng)
    return add_downscaling(image, factors[rng.integers(0, len(factors))])


# --------------------------------------------------------------------------------------------
# JPEG deblocking (MemNet).
# --------------------------------------------------------------------------------------------


def add_jpeg_compression(image, quality):
    """Encode an image as a grayscale baseline JPEG at ``quality`` and decode it (Pillow).

    The 8x8 blocks start at the image's top-left corner, as in a JPEG file of the whole image;
    the patches that ``load_dataset`` cuts from a larger corrupted crop therefore see the block
    edges at every offset.

    Parameters
    ----------
    image : numpy.ndarray
        Grayscale image, 2-D, float64 in [0, 1]; not modified. Rounded to 8 bits first, as
        the file would be.
    quality : int
        Pillow's JPEG quality, 1 (worst) to 100.

    Returns
    -------
    numpy.ndarray
        The decoded image, float64 in [0, 1] (8-bit levels), the image's shape.
    """
    image = sol5.check_image(image)
    if int(quality) != quality or not 1 <= quality <= 100:
        raise ValueError(f"quality must be an integer in [1, 100], got {quality!r}.")
    pixels = np.round(image * 255).astype(np.uint8)
    encoded = iio.imwrite("<bytes>", pixels, extension=".jpg", plugin="pillow", quality=int(quality))
    return iio.imread(io.BytesIO(encoded), extension=".jpg", plugin="pillow").astype(np.float64) / 255


def random_jpeg_compression(image, min_quality, max_quality, *, rng=None):
    """:func:`add_jpeg_compression` at an integer quality drawn uniformly in [min, max]."""
    _check_range(min_quality, max_quality, "quality", 100)
    rng = sol5.random_generator(rng)
    return add_jpeg_compression(image, int(rng.integers(max(min_quality, 1), max_quality + 1)))


# --------------------------------------------------------------------------------------------
# Salt-and-pepper noise (MemNet).
# --------------------------------------------------------------------------------------------


def add_salt_and_pepper(image, min_amount, max_amount, *, rng=None):
    """Set a random share of the pixels to 0 or 1, each with probability one half.

    Parameters
    ----------
    image : numpy.ndarray
        Grayscale image, 2-D, float64 in [0, 1]; not modified.
    min_amount, max_amount : float
        Bounds of the share of pixels hit, ``0 <= min_amount <= max_amount <= 1``; the share
        is drawn uniformly between them, then each pixel is hit with that probability.
    rng : numpy.random.Generator, optional
        Source of the share, the pixels and their values.

    Returns
    -------
    numpy.ndarray
        float64 in [0, 1], rounded to 8-bit levels, the image's shape.
    """
    image = sol5.check_image(image)
    _check_range(min_amount, max_amount, "amount", 1)
    rng = sol5.random_generator(rng)
    amount = rng.uniform(min_amount, max_amount)
    hit = rng.random(image.shape) < amount
    salt = rng.random(image.shape) < 0.5
    return np.where(hit, salt.astype(np.float64), sol5.quantize_8bit(image))


# --------------------------------------------------------------------------------------------
# Scratches (old-photo restoration).
# --------------------------------------------------------------------------------------------


def add_scratches(image, min_coverage, max_coverage, *, rng=None):
    """Paint dark or bright scratches (:func:`sol5lab.scratches.draw_scratches`) over a random share of
    the image, drawn uniformly in [min, max] (each in (0, 0.5])."""
    image = sol5.check_image(image)
    _check_range(min_coverage, max_coverage, "coverage", 0.5)
    if min_coverage <= 0:
        raise ValueError(f"min_coverage must be above 0, got {min_coverage!r}.")
    rng = sol5.random_generator(rng)
    scratched, _ = draw_scratches(image, rng.uniform(min_coverage, max_coverage), rng=rng)
    return sol5.quantize_8bit(scratched)


# --------------------------------------------------------------------------------------------
# All at once (MemNet's combined model).
# --------------------------------------------------------------------------------------------


def single_corruptions(settings, rng=None):
    """The four single corruptions, each drawing its parameters in the ranges of ``settings``
    from ``rng`` (``sol5``'s generator when None), by task name."""
    return {
        "scratches": lambda image: add_scratches(
            image, settings["min_coverage"], settings["max_coverage"], rng=rng
        ),
        "super_resolution": lambda image: random_downscaling(image, settings["factors"], rng=rng),
        "jpeg_deblocking": lambda image: random_jpeg_compression(
            image, settings["min_quality"], settings["max_quality"], rng=rng
        ),
        "salt_and_pepper": lambda image: add_salt_and_pepper(
            image, settings["min_amount"], settings["max_amount"], rng=rng
        ),
    }


def add_combined_corruption(image, settings=None, *, rng=None):
    """Apply a random non-empty subset of the four corruptions, in :data:`COMBINED_ORDER`.

    Each of the 15 subsets is equally likely; each corruption draws its parameters in the ranges
    of ``settings`` (:data:`COMBINED_RANGES` when omitted).

    Returns
    -------
    numpy.ndarray
        float64 in [0, 1], the image's shape.
    """
    settings = COMBINED_RANGES if settings is None else settings
    image = sol5.check_image(image)
    rng = sol5.random_generator(rng)
    chosen = np.zeros(len(COMBINED_ORDER), dtype=bool)
    while not chosen.any():
        chosen = rng.random(len(COMBINED_ORDER)) < 0.5
    corruptions = single_corruptions(settings, rng)
    for name, used in zip(COMBINED_ORDER, chosen, strict=True):
        if used:
            image = corruptions[name](image)
    return sol5.quantize_8bit(image)


def add_lone_corruption(image, settings=None, *, rng=None):
    """Apply one of the four corruptions alone, each equally likely (one of the 4 subsets of
    size one that :func:`add_combined_corruption` draws among its 15), its parameters drawn in
    the ranges of ``settings`` (:data:`COMBINED_RANGES` when omitted).

    Returns
    -------
    numpy.ndarray
        float64 in [0, 1], the image's shape.
    """
    settings = COMBINED_RANGES if settings is None else settings
    image = sol5.check_image(image)
    rng = sol5.random_generator(rng)
    name = COMBINED_ORDER[int(rng.integers(len(COMBINED_ORDER)))]
    return sol5.quantize_8bit(single_corruptions(settings, rng)[name](image))
