"""Colour images through grayscale models: the ways of applying a one-channel network to RGB.

Every model of the lab is trained on grayscale images, each made by ``sol5.read_image`` with
scikit-image's ``rgb2gray`` (the Rec. 709 luma weights). A colour image can go through such a
model in several ways (:data:`METHODS`):

- ``"luminance"``: the model restores the luma Y of a YCbCr split made with those same weights,
  the chroma (Cb, Cr) is kept as it is (only resized when the model enlarges);
- ``"luminance-smooth-chroma"``: the same, and the chroma is smoothed with a Gaussian of
  :data:`CHROMA_SIGMA` pixels, since chroma carries little of the detail the eye sees (JPEG keeps
  it at half resolution) but all of a colour noise's colour;
- ``"per-channel"``: the model restores R, G and B one by one (three times the work).

Which one the command uses is chosen by measurement: ``python -m sol5lab.experiments.colour``
scores them on the held-out colour photographs (``docs/colour.md``), and :data:`DEFAULT_METHOD`
is its winner.
"""

import numpy as np
import scipy.ndimage

#: Rec. 709 luma weights of R, G and B, those of ``skimage.color.rgb2gray``.
LUMA_WEIGHTS = np.array([0.2125, 0.7154, 0.0721])

#: Standard deviation, in pixels, of the Gaussian that smooths the chroma, fixed beforehand (not
#: tuned on the test images): about the half resolution JPEG keeps chroma at.
CHROMA_SIGMA = 2.0

#: How far the Gaussian reaches, in its standard deviations (scipy's ``truncate``).
CHROMA_TRUNCATE = 4.0

#: The ways a colour image goes through a grayscale model, as named on the command line.
METHODS = ("luminance", "luminance-smooth-chroma", "per-channel")

#: The method the command uses unless told otherwise: the best on the held-out colour
#: photographs (``results/colour.json``, ``docs/colour.md``; a test checks it stays so).
DEFAULT_METHOD = "per-channel"


def rgb_to_ycbcr(rgb):
    """Split RGB into luma and two colour differences, exactly invertible by :func:`ycbcr_to_rgb`.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(height, width, 3)`` floats in [0, 1].

    Returns
    -------
    numpy.ndarray
        ``(height, width, 3)`` of the input's float type: Y in [0, 1] (``rgb2gray``'s value), and
        Cb and Cr, ``(B - Y)`` and ``(R - Y)`` scaled into [0, 1] around 0.5.
    """
    red, green, blue = np.moveaxis(rgb, -1, 0)
    kr, kg, kb = LUMA_WEIGHTS
    luma = kr * red + kg * green + kb * blue
    blue_difference = (blue - luma) / (2 * (1 - kb)) + 0.5
    red_difference = (red - luma) / (2 * (1 - kr)) + 0.5
    return np.stack([luma, blue_difference, red_difference], axis=-1).astype(rgb.dtype, copy=False)


def ycbcr_to_rgb(ycbcr):
    """Invert :func:`rgb_to_ycbcr`; the result is not clipped (a restored luma may leave the gamut)."""
    luma, blue_difference, red_difference = np.moveaxis(ycbcr, -1, 0)
    kr, kg, kb = LUMA_WEIGHTS
    red = luma + (red_difference - 0.5) * 2 * (1 - kr)
    blue = luma + (blue_difference - 0.5) * 2 * (1 - kb)
    green = (luma - kr * red - kb * blue) / kg
    return np.stack([red, green, blue], axis=-1).astype(ycbcr.dtype, copy=False)


def check_method(method):
    """Return ``method`` if it is one of :data:`METHODS`, else raise ValueError naming them."""
    if method not in METHODS:
        raise ValueError(f"Unknown colour method {method!r}; the methods are {', '.join(METHODS)}.")
    return method


def reach(method):
    """How many pixels around itself an output pixel of ``method`` sees, beyond the model's own.

    A tiled restoration (:func:`sol5lab.photos.restore_image_file`) overlaps its tiles by this
    much more, so that tiles give what the whole image would.
    """
    if check_method(method) == "luminance-smooth-chroma":
        return int(CHROMA_TRUNCATE * CHROMA_SIGMA + 0.5)  # scipy's Gaussian's radius
    return 0


def restore_colour(image, restore_plane, method=DEFAULT_METHOD, *, scale=1):
    """Restore a grey or RGB image with a function that restores one grayscale plane.

    Parameters
    ----------
    image : numpy.ndarray
        ``(height, width)`` or ``(height, width, 3)``, floats in [0, 1]; not modified.
    restore_plane : callable
        ``(height, width)`` floats in [0, 1] to ``(scale * height, scale * width)`` floats in
        [0, 1]: a model's restoration (``sol5.restore_image``, or
        :func:`sol5lab.inference.super_resolve_image` with ``scale`` its factor).
    method : str, optional
        One of :data:`METHODS`; a grey image goes through ``restore_plane`` once whatever it is.
    scale : int, optional
        How many times ``restore_plane`` enlarges; the kept chroma is enlarged as
        super-resolution's input is (:func:`sol5lab.corruptions.upscale`).

    Returns
    -------
    numpy.ndarray
        float32 in [0, 1], ``(scale * height, scale * width)`` with the image's channels.
    """
    # here, not at the top: the command lists the methods before it starts Keras, which sol5 loads
    from sol5lab.corruptions import upscale

    check_method(method)
    if image.ndim == 2:
        return np.asarray(restore_plane(image), dtype=np.float32)
    if method == "per-channel":
        channels = [np.asarray(restore_plane(image[..., c]), dtype=np.float32) for c in range(3)]
        return np.stack(channels, axis=-1)
    ycbcr = rgb_to_ycbcr(image.astype(np.float32))
    luma = np.asarray(restore_plane(ycbcr[..., 0]), dtype=np.float32)
    chroma = []
    for plane in (ycbcr[..., 1], ycbcr[..., 2]):
        if scale != 1:
            plane = upscale(plane, luma.shape).astype(np.float32)
        if method == "luminance-smooth-chroma":
            plane = scipy.ndimage.gaussian_filter(
                plane, CHROMA_SIGMA, mode="reflect", truncate=CHROMA_TRUNCATE
            )
        chroma.append(plane)
    return np.clip(ycbcr_to_rgb(np.stack([luma, *chroma], axis=-1)), 0, 1)
