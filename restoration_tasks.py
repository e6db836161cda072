"""More restoration tasks through the assignment's workflow: super-resolution, JPEG deblocking,
salt-and-pepper noise, scratches, and all of them at once.

Each task is what section 7 of the assignment makes of denoising and deblurring: a corruption
function, a row of settings, and a ``learn_*_model(num_res_blocks=5, quick_mode=False)`` that
hands both to the assignment's own ``build_nn_model`` and ``train_model`` (so its
``load_dataset`` makes the patches and its ``restore_image`` applies the result). The tasks come
from the papers in the assignment's seeds: super-resolution from the assignment's section 7.4,
JPEG deblocking, salt-and-pepper noise and one model for all of them from the MemNet study,
scratches from the old-photo restoration paper. ``task_comparison.py`` measures each model
against the obvious alternative.

Every corruption takes a 2-D float64 image in [0, 1], never modifies it, and returns a new one of
the same shape, rounded to 8-bit levels like an image file; every random draw goes through an
``rng`` (``sol5``'s seedable generator when omitted).
"""

import io

import imageio.v3 as iio
import numpy as np
from skimage.transform import resize

import sol5
import sol5_utils
from scratches import draw_scratches

# --------------------------------------------------------------------------------------------
# Settings, one row per task, as sol5.TASK_SETTINGS; quick mode takes sol5.TRAINING_BUDGETS.
# --------------------------------------------------------------------------------------------

#: The corruptions' ranges, shared by the single-task rows and the combined one.
SUPER_RESOLUTION = {"factors": (2, 3, 4)}
JPEG = {"min_quality": 10, "max_quality": 40}
SALT_AND_PEPPER = {"min_amount": 0.0, "max_amount": 0.25}
SCRATCHES = {"min_coverage": 0.02, "max_coverage": 0.15}

#: What each task trains on. The patches of super-resolution (and so of the combined model) are
#: 32x32: at 24x24 a 4-times downscaled patch is only 6 low-resolution pixels wide
#: (answer_q2.txt). Every large crop that ``load_dataset`` corrupts (3 x the patch: 72 or 96 px)
#: is whole 8x8 JPEG blocks and a multiple of every super-resolution factor.
TASK_SETTINGS = {
    "super_resolution": {"crop_size": (32, 32), "num_channels": 48, "num_epochs": 5, **SUPER_RESOLUTION},
    "jpeg_deblocking": {"crop_size": (24, 24), "num_channels": 48, "num_epochs": 5, **JPEG},
    "salt_and_pepper": {"crop_size": (24, 24), "num_channels": 48, "num_epochs": 5, **SALT_AND_PEPPER},
    "scratches": {"crop_size": (24, 24), "num_channels": 48, "num_epochs": 5, **SCRATCHES},
    # Four corruptions and their mixtures in one network. At the single tasks' 5 epochs its
    # validation MSE was still falling (7% in the last epoch), so it was given 15; the MSE then
    # stayed at 3.3-3.7e-3 from the 5th epoch on and the held-out scores moved by 0.42 dB at most
    # (results/restoration_tasks.json and its git history): the limit is not the training length.
    "combined": {
        "crop_size": (32, 32),
        "num_channels": 48,
        "num_epochs": 15,
        **SUPER_RESOLUTION,
        **JPEG,
        **SALT_AND_PEPPER,
        **SCRATCHES,
    },
}

#: The interpolation of super-resolution, down and up: scikit-image's cubic spline (order 3).
INTERPOLATION_ORDER = 3

#: The order in which the combined corruption applies the ones it draws: scratches on the print,
#: a low-resolution scan of it, saved as JPEG, then impulse noise in transmission.
COMBINED_ORDER = ("scratches", "super_resolution", "jpeg_deblocking", "salt_and_pepper")


def training_settings(task, quick_mode=False):
    """Return the settings of one task's training run, as :func:`sol5.training_settings`.

    Parameters
    ----------
    task : str
        A key of :data:`TASK_SETTINGS`.
    quick_mode : bool, optional
        Use the presubmission budget of :data:`sol5.TRAINING_BUDGETS` instead of the full one.

    Returns
    -------
    dict
        The task's row of :data:`TASK_SETTINGS` updated with the budget.
    """
    if task not in TASK_SETTINGS:
        raise ValueError(f"Unknown task {task!r}; the tasks are {sorted(TASK_SETTINGS)}.")
    return {**TASK_SETTINGS[task], **sol5.TRAINING_BUDGETS[bool(quick_mode)]}


def _check_range(low, high, name, upper):
    if not 0 <= low <= high <= upper:
        raise ValueError(f"Need 0 <= min_{name} <= max_{name} <= {upper}, got {low!r} and {high!r}.")


# --------------------------------------------------------------------------------------------
# Super-resolution (the assignment's section 7.4).
# --------------------------------------------------------------------------------------------


def _check_factor(factor):
    if int(factor) != factor or factor < 1:
        raise ValueError(f"factor must be a positive integer, got {factor!r}.")
    return int(factor)


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
    factor = _check_factor(factor)
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


def super_resolve_image(low_res_image, model, factor):
    """Enlarge an image ``factor`` times with a super-resolution model.

    The image is upscaled with the interpolation the model was trained behind
    (:func:`upscale`), and the model then restores the detail (``sol5.restore_image``).

    Parameters
    ----------
    low_res_image : numpy.ndarray
        Grayscale image, 2-D, float64 in [0, 1]; not modified.
    model : keras.Model
        From :func:`learn_super_resolution_model`.
    factor : int
        Positive integer; the model was trained for 2, 3 and 4.

    Returns
    -------
    numpy.ndarray
        float64 in [0, 1], shape ``(factor * height, factor * width)``.
    """
    low_res_image = sol5.check_image(low_res_image, "low_res_image")
    factor = _check_factor(factor)
    upscaled = upscale(low_res_image, (factor * low_res_image.shape[0], factor * low_res_image.shape[1]))
    return sol5.restore_image(upscaled, model)


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
    """Paint dark or bright scratches (:func:`scratches.draw_scratches`) over a random share of
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


def _corruptions(settings, rng=None):
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
    of ``settings`` (the ``"combined"`` row of :data:`TASK_SETTINGS` when omitted).

    Returns
    -------
    numpy.ndarray
        float64 in [0, 1], the image's shape.
    """
    settings = TASK_SETTINGS["combined"] if settings is None else settings
    image = sol5.check_image(image)
    rng = sol5.random_generator(rng)
    chosen = np.zeros(len(COMBINED_ORDER), dtype=bool)
    while not chosen.any():
        chosen = rng.random(len(COMBINED_ORDER)) < 0.5
    corruptions = _corruptions(settings, rng)
    for name, used in zip(COMBINED_ORDER, chosen, strict=True):
        if used:
            image = corruptions[name](image)
    return sol5.quantize_8bit(image)


# --------------------------------------------------------------------------------------------
# Training, in the assignment's style.
# --------------------------------------------------------------------------------------------


def corruption_for(task, settings):
    """Return the training corruption of ``task`` with the ranges of ``settings``."""
    if task == "combined":
        return lambda image: add_combined_corruption(image, settings)
    return _corruptions(settings)[task]


def _learn(task, num_res_blocks, quick_mode, verbose):
    """Train ``task``'s network on the natural photographs, the assignment's way."""
    settings = training_settings(task, quick_mode)
    return sol5.learn_model(
        sol5_utils.images_for_super_resolution()
        if task == "super_resolution"
        else sol5_utils.images_for_denoising(),
        corruption_for(task, settings),
        num_res_blocks,
        settings,
        verbose=verbose,
    )


def learn_super_resolution_model(num_res_blocks=5, quick_mode=False, *, verbose="auto"):
    """Train one network for 2, 3 and 4 times super-resolution (apply it with
    :func:`super_resolve_image`); the settings are :data:`TASK_SETTINGS`' row, the budget the
    assignment's (or quick mode's). Returns the trained ``keras.Model``."""
    return _learn("super_resolution", num_res_blocks, quick_mode, verbose)


def learn_jpeg_deblocking_model(num_res_blocks=5, quick_mode=False, *, verbose="auto"):
    """Train a network that removes JPEG artefacts of qualities 10 to 40 (apply it with
    ``sol5.restore_image``). Returns the trained ``keras.Model``."""
    return _learn("jpeg_deblocking", num_res_blocks, quick_mode, verbose)


def learn_salt_and_pepper_model(num_res_blocks=5, quick_mode=False, *, verbose="auto"):
    """Train a network that removes salt-and-pepper noise hitting up to 25% of the pixels.
    Returns the trained ``keras.Model``."""
    return _learn("salt_and_pepper", num_res_blocks, quick_mode, verbose)


def learn_scratch_removal_model(num_res_blocks=5, quick_mode=False, *, verbose="auto"):
    """Train a network that removes dark and bright scratches covering 2% to 15% of an image,
    without being told where they are. Returns the trained ``keras.Model``."""
    return _learn("scratches", num_res_blocks, quick_mode, verbose)


def learn_combined_model(num_res_blocks=5, quick_mode=False, *, verbose="auto"):
    """Train one network for any non-empty mix of the four corruptions above. Returns the
    trained ``keras.Model``."""
    return _learn("combined", num_res_blocks, quick_mode, verbose)


#: The training function of each task.
LEARNERS = {
    "super_resolution": learn_super_resolution_model,
    "jpeg_deblocking": learn_jpeg_deblocking_model,
    "salt_and_pepper": learn_salt_and_pepper_model,
    "scratches": learn_scratch_removal_model,
    "combined": learn_combined_model,
}
