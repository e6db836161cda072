"""Restoring and corrupting a user's own image file: the library behind the ``sol5lab`` command.

An :class:`sol5lab.image_files.ImageFile` (any format, grey or colour, 8 or 16 bits, alpha) is
restored by a task's model in tiles of at most :data:`TILE_PIXELS` pixels, each read from the
file's samples, taken to [0, 1], restored through :func:`sol5lab.colour.restore_colour` and put
back at the file's bit depth, so memory holds the input, the output and one tile's work whatever
the size. The tiles overlap by what an output pixel sees (the network's receptive radius, the
colour method's reach, the interpolation's for super-resolution), so the tiled image is the whole
image's restoration to rounding (within two levels on a few samples for super-resolution, whose
interpolation reaches further; ``tests/sol5lab/test_photos.py``). The alpha plane is carried
through (enlarged with the picture by super-resolution).

:func:`corrupt_image_file` makes test images with the registry's corruptions
(:mod:`sol5lab.corruptions`, ``sol5``), so a user can see what each model undoes.
"""

import math
import os

import numpy as np

import sol5
from sol5lab import colour, corruptions
from sol5lab.image_files import ImageFile, from_unit, to_unit
from sol5lab.inference import super_resolve_image

#: The enlargements a super-resolution model was trained for.
SCALES = tuple(corruptions.SUPER_RESOLUTION["factors"])

#: The most pixels the network sees at once. The assignment's network peaks near 430 bytes a
#: pixel (``sol5.RESTORE_TILE_PIXELS``), so half a million pixels keep a restoration's working
#: memory near 300 MB whatever the image's size, and the whole process, Keras' own 650 MB
#: included, under 1 GB on a 12-megapixel photograph (the benchmark's figure). Tiles of a million
#: pixels were a few percent faster there, but took the process above 1 GB.
TILE_PIXELS = 512 * 1024

#: Extra input pixels around a super-resolution tile: the cubic spline's prefilter reaches the
#: whole row, with a weight falling with the distance. With 16, a tiled enlargement differs from
#: the whole image's by two 8-bit levels at most, on under 0.1% of the samples
#: (``tests/sol5lab/test_photos.py``).
SPLINE_MARGIN = 16

#: Where the command says to get a model while none is shipped: what writes each one.
MODEL_SOURCES = {
    "denoising": "`make demo` writes models/denoising.keras",
    "deblurring": "`make demo` writes models/deblurring.keras",
}


def shipped_model(task):
    """Return the model the package ships for ``task`` (:func:`sol5lab.pretrained`), or None
    when it ships none."""
    from sol5lab import shipped

    return shipped.pretrained(task) if task in shipped.available() else None


def model_hint(task):
    """Say, in a sentence, how to get a model for ``task`` when none is shipped."""
    source = MODEL_SOURCES.get(task, f"`make tasks` writes models/tasks/{task}_seed*.keras")
    return f"pass --model PATH, a .keras file trained for {task} ({source})"


def load_model(path):
    """Load a restoration model from a ``.keras`` file and check that it maps one channel to one.

    Raises
    ------
    FileNotFoundError
        When there is no file at ``path``.
    ValueError
        When it is not a Keras model file, or not a one-channel image-to-image network.
    """
    import keras  # here, so that a command checks its arguments before the backend starts

    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file")
    try:
        model = keras.saving.load_model(path, compile=False)
    except Exception as error:
        reason = str(error).split(". ")[0]  # Keras' first sentence; the rest is about its other formats
        raise ValueError(f"{path}: not a Keras model file ({reason})") from None
    return sol5.check_model(model, f"the model in {path}")


def tile_margin(model, method, scale=1):
    """Input pixels a tile needs around what it keeps, for ``model`` and the colour ``method``."""
    reach = sol5.receptive_radius(model) + colour.reach(method)  # in the network's pixels
    if scale == 1:
        return reach
    return math.ceil(reach / scale) + SPLINE_MARGIN


def restore_planes(
    planes, restore_plane, *, margin, method=colour.DEFAULT_METHOD, scale=1, tile_pixels=None, on_tile=None
):
    """Restore an image's samples tile by tile, at their own bit depth.

    Parameters
    ----------
    planes : numpy.ndarray
        ``(height, width)`` or ``(height, width, 3)`` samples of one of
        :data:`sol5lab.image_files.SAMPLE_TYPES`; not modified.
    restore_plane : callable
        A 2-D float array in [0, 1] to its restoration, ``scale`` times larger, in [0, 1].
    margin : int
        Input pixels each tile reads around the part it keeps (:func:`tile_margin`).
    method : str, optional
        The colour method (:data:`sol5lab.colour.METHODS`).
    scale : int, optional
        How many times ``restore_plane`` enlarges.
    tile_pixels : int, optional
        The most pixels the network sees at once; :data:`TILE_PIXELS` when omitted. A tile is
        at least ``4 * margin`` input pixels a side, however small this is.
    on_tile : callable, optional
        Called ``on_tile(done, total)`` after each tile, for a progress display.

    Returns
    -------
    numpy.ndarray
        ``(scale * height, scale * width)`` with the input's channels and sample type.
    """
    tile_pixels = TILE_PIXELS if tile_pixels is None else int(tile_pixels)
    height, width = planes.shape[:2]
    restored = np.empty((scale * height, scale * width, *planes.shape[2:]), dtype=planes.dtype)
    # in input pixels; never so small that the overlaps are most of a tile
    input_tile_pixels = max(tile_pixels // scale**2, (4 * margin) ** 2)
    tiles = sol5.restoration_tiles((height, width), margin, input_tile_pixels)
    for done, ((rows, cols), (kept_rows, kept_cols)) in enumerate(tiles, start=1):
        output = colour.restore_colour(to_unit(planes[rows, cols]), restore_plane, method, scale=scale)
        # the kept part, in the output's pixels: in the window's frame, then in the image's
        top, bottom = scale * (kept_rows.start - rows.start), scale * (kept_rows.stop - rows.start)
        left, right = scale * (kept_cols.start - cols.start), scale * (kept_cols.stop - cols.start)
        restored[
            scale * kept_rows.start : scale * kept_rows.stop, scale * kept_cols.start : scale * kept_cols.stop
        ] = from_unit(output[top:bottom, left:right], planes.dtype)
        if on_tile is not None:
            on_tile(done, len(tiles))
    return restored


def restore_image_file(
    image, task, model, *, scale=1, method=colour.DEFAULT_METHOD, tile_pixels=None, on_tile=None
):
    """Restore an image file's picture with ``task``'s model, keeping its bit depth and alpha.

    Parameters
    ----------
    image : sol5lab.image_files.ImageFile
        As read by :func:`sol5lab.image_files.read_image_file`; not modified.
    task : str
        A task of the registry (``sol5lab.cli.TASKS``' values).
    model : keras.Model
        Trained for ``task`` on grayscale patches.
    scale : int, optional
        For super-resolution, the enlargement, one of :data:`SCALES`; 1 for every other task.
    method, tile_pixels, on_tile
        As :func:`restore_planes` takes them.

    Returns
    -------
    sol5lab.image_files.ImageFile
        The restored picture, of the input's sample type; its alpha is the input's, enlarged
        ``scale`` times by cubic interpolation for super-resolution.
    """
    if task == "super_resolution":
        if scale not in SCALES:
            raise ValueError(f"scale must be one of {SCALES} for super-resolution, got {scale!r}.")

        def restore_plane(plane):
            return super_resolve_image(plane, model, scale)
    else:
        if scale != 1:
            raise ValueError(f"Only super-resolution enlarges; {task} takes scale 1, got {scale!r}.")

        def restore_plane(plane):
            return sol5.restore_image(plane, model)

    planes = restore_planes(
        image.planes,
        restore_plane,
        margin=tile_margin(model, method, scale),
        method=method,
        scale=scale,
        tile_pixels=tile_pixels,
        on_tile=on_tile,
    )
    alpha = image.alpha
    if alpha is not None and scale != 1:
        enlarged = corruptions.upscale(to_unit(alpha).astype(np.float64), planes.shape[:2])
        alpha = from_unit(enlarged, image.dtype)
    return ImageFile(planes=planes, alpha=alpha, dtype=image.dtype)


# --------------------------------------------------------------------------------------------
# Test images: the registry's corruptions on a user's file.
# --------------------------------------------------------------------------------------------

#: Each task's corruption of one grayscale plane in [0, 1] under a condition (the registry's
#: condition keys: ``sigma``, ``kernel_size`` and ``angle_degrees``, ``factor``, ``quality``,
#: ``amount``, ``coverage``), drawing from ``rng``.
CORRUPTIONS = {
    "denoising": lambda plane, c, rng: sol5.add_gaussian_noise(plane, c["sigma"], c["sigma"], rng=rng),
    "deblurring": lambda plane, c, rng: sol5.quantize_8bit(
        sol5.add_motion_blur(plane, c["kernel_size"], np.deg2rad(c["angle_degrees"]))
    ),
    "super_resolution": lambda plane, c, rng: corruptions.downscale(plane, c["factor"]),
    "jpeg_deblocking": lambda plane, c, rng: corruptions.add_jpeg_compression(plane, c["quality"]),
    "salt_and_pepper": lambda plane, c, rng: corruptions.add_salt_and_pepper(
        plane, c["amount"], c["amount"], rng=rng
    ),
    "scratches": lambda plane, c, rng: corruptions.add_scratches(
        plane, c["coverage"], c["coverage"], rng=rng
    ),
    # a random non-empty mix of the four above, drawn as the combined model is trained
    "combined": lambda plane, c, rng: corruptions.add_combined_corruption(plane, rng=rng),
}

#: The corruptions drawn afresh for each colour channel (a camera's noise); the others hit the
#: same pixels in every channel (a scratch, a dust speck), each channel drawing from the same seed.
INDEPENDENT_PER_CHANNEL = ("denoising",)


def corrupt_image_file(image, task, condition, *, seed=0):
    """Corrupt an image file's picture as ``task``'s model expects to meet it.

    Parameters
    ----------
    image : sol5lab.image_files.ImageFile
        Not modified.
    task : str
        A key of :data:`CORRUPTIONS`.
    condition : dict
        The corruption's parameters (see :data:`CORRUPTIONS`).
    seed : int, optional
        Seed of the random draws: the same seed gives the same file.

    Returns
    -------
    sol5lab.image_files.ImageFile
        Of the input's sample type, its values on 8-bit levels as the corruptions round them;
        for super-resolution ``factor`` times smaller (the alpha too).
    """
    corrupt = CORRUPTIONS[task]
    values = to_unit(image.planes).astype(np.float64)
    if image.is_colour:
        shared = np.random.default_rng(seed)
        channels = [
            corrupt(
                values[..., c],
                condition,
                shared if task in INDEPENDENT_PER_CHANNEL else np.random.default_rng(seed),
            )
            for c in range(3)
        ]
        corrupted = np.stack(channels, axis=-1)
    else:
        corrupted = corrupt(values, condition, np.random.default_rng(seed))
    alpha = image.alpha
    if alpha is not None and task == "super_resolution":
        alpha = from_unit(
            corruptions.downscale(to_unit(alpha).astype(np.float64), condition["factor"]), image.dtype
        )
    return ImageFile(planes=from_unit(corrupted, image.dtype), alpha=alpha, dtype=image.dtype)
