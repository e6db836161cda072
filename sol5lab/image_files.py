"""Image files as users have them: any format imageio reads, grey or colour, 8 or 16 bits, with or
without alpha, turned by their EXIF orientation; written back at the bit depth they came in.

:func:`read_image_file` splits a file into an :class:`ImageFile`: its colour (or grey) planes in
the file's own integer type, its alpha plane apart, and its sample type; :func:`to_unit` and
:func:`from_unit` move planes between that type and float32 in [0, 1], the networks' range;
:func:`write_image_file` puts them back together and writes them atomically
(:mod:`sol5lab.files`), refusing what the format cannot hold rather than reducing it. No Keras
here: reading and checking files is cheap, so a command can check every file before it loads a
model.
"""

import dataclasses
import os

import imageio.v3 as iio
import numpy as np
import PIL.Image

from sol5lab import files

#: The sample types kept as they are; anything else is refused with its name.
SAMPLE_TYPES = (np.uint8, np.uint16, np.float32, np.float64)

#: File endings taken for images when a folder is given: the still-image formats of imageio's
#: Pillow and tifffile plugins (imageio's own list also names videos and audio).
IMAGE_ENDINGS = frozenset(
    {ending.lower() for ending in PIL.Image.registered_extensions()} | {".tif", ".tiff"}
)

#: The EXIF (and TIFF) orientation tag.
ORIENTATION_TAG = 0x0112

#: Endings of formats that hold 8-bit samples only, and no alpha (Pillow's JPEG).
JPEG_ENDINGS = (".jpg", ".jpeg", ".jpe", ".jfif")

#: Quality of a JPEG written here: a restored image should not be coarsened on its way out.
JPEG_QUALITY = 95

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class ImageFileError(ValueError):
    """A file that cannot be read or written as asked; the message names it and says why."""


@dataclasses.dataclass
class ImageFile:
    """An image as read from a file.

    Attributes
    ----------
    planes : numpy.ndarray
        ``(height, width)`` for grey, ``(height, width, 3)`` for RGB, in ``dtype``, the picture
        upright (EXIF orientation applied).
    alpha : numpy.ndarray or None
        ``(height, width)`` in ``dtype``, or None for an opaque image; carried through unchanged.
    dtype : numpy.dtype
        One of :data:`SAMPLE_TYPES`: uint8 and uint16 span their full range, floats are in [0, 1].
    """

    planes: np.ndarray
    alpha: np.ndarray | None
    dtype: np.dtype

    def __post_init__(self):
        self.dtype = np.dtype(self.dtype)  # np.uint8 and np.dtype("uint8") alike

    @property
    def is_colour(self):
        return self.planes.ndim == 3

    def pixels(self):
        """The samples as a file holds them: ``planes`` with ``alpha`` appended as the last channel."""
        if self.alpha is None:
            return self.planes
        colour = self.planes if self.is_colour else self.planes[..., np.newaxis]
        return np.concatenate([colour, self.alpha[..., np.newaxis]], axis=-1)


def is_image_path(path):
    """Whether ``path`` ends like an image file imageio reads (see :data:`IMAGE_ENDINGS`)."""
    return os.path.splitext(path)[1].lower() in IMAGE_ENDINGS


def image_paths(folder):
    """Return the image files directly inside ``folder``, sorted; hidden files are left out."""
    return sorted(
        os.path.join(folder, name)
        for name in os.listdir(folder)
        if not name.startswith(".") and is_image_path(name) and os.path.isfile(os.path.join(folder, name))
    )


def orient(pixels, orientation):
    """Turn ``pixels`` (``(height, width, ...)``) upright for an EXIF ``orientation`` of 1 to 8.

    The tag says how the stored rows and columns map onto the scene (EXIF 2.3, tag 274); any
    other value is taken as 1, upright, as viewers do.
    """
    steps = {
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: np.swapaxes(a, 0, 1),
        6: lambda a: np.swapaxes(a, 0, 1)[:, ::-1],
        7: lambda a: np.swapaxes(a, 0, 1)[::-1, ::-1],
        8: lambda a: np.swapaxes(a, 0, 1)[::-1],
    }
    step = steps.get(orientation)
    return pixels if step is None else np.ascontiguousarray(step(pixels))


def plugin(path):
    """imageio's plugin for ``path``: tifffile for TIFF (Pillow reads 16-bit colour TIFFs as 8
    bits), Pillow for every other still image (imageio's fallbacks are for video and science)."""
    return "tifffile" if os.path.splitext(path)[1].lower() in (".tif", ".tiff") else "pillow"


def _orientation(path, is_tiff):
    """The file's orientation tag, 1 when it has none or it cannot be read."""
    try:
        if is_tiff:
            import tifffile

            with tifffile.TiffFile(path) as tiff:
                tag = tiff.pages[0].tags.get(ORIENTATION_TAG)
                return int(tag.value) if tag is not None else 1
        with PIL.Image.open(path) as image:
            return int(image.getexif().get(ORIENTATION_TAG, 1))
    except Exception:  # an unreadable tag must not make a readable picture unreadable
        return 1


def _png_sixteen_bit_colour(path):
    """Whether ``path`` is a PNG of 16-bit colour samples, which Pillow would read as 8 bits."""
    with open(path, "rb") as file:
        header = file.read(26)
    # IHDR is the first chunk: signature (8), length and type (8), width, height (8), depth, type
    return header.startswith(_PNG_SIGNATURE) and header[24] == 16 and header[25] in (2, 4, 6)


def _read_sixteen_bit_png(path):
    """A 16-bit colour PNG's samples, all 16 bits of them (pypng): ``(height, width, planes)``
    uint16, planes 3 (RGB) or 4 (RGB and alpha)."""
    import png  # only for these files

    width, height, rows, info = png.Reader(filename=path).asDirect()
    planes = info["planes"]
    return np.vstack([np.asarray(row, dtype=np.uint16) for row in rows]).reshape(height, width, planes)


def _write_sixteen_bit_png(path, pixels):
    """Write 16-bit samples of shape ``(height, width)`` or ``(height, width, planes)`` as a PNG
    of 16-bit samples (pypng; Pillow cannot write them in colour)."""
    import png

    height, width = pixels.shape[:2]
    planes = 1 if pixels.ndim == 2 else pixels.shape[2]
    writer = png.Writer(width, height, greyscale=planes in (1, 2), alpha=planes in (2, 4), bitdepth=16)
    with open(path, "wb") as file:
        writer.write(file, pixels.reshape(height, width * planes))


def read_image_file(path):
    """Read an image file as it is: its planes, its alpha, its sample type, upright.

    Parameters
    ----------
    path : str
        A file in any format imageio reads (PNG, JPEG, TIFF, BMP, WebP, ...).

    Returns
    -------
    ImageFile

    Raises
    ------
    FileNotFoundError
        When there is no file at ``path``.
    ImageFileError
        When it cannot be read, or not without reducing it: a sample type not in
        :data:`SAMPLE_TYPES`, or an array that is not one picture. (A 16-bit colour PNG, which
        Pillow, imageio's PNG reader, would cut to 8 bits, is read whole with pypng.)
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file")
    is_tiff = os.path.splitext(path)[1].lower() in (".tif", ".tiff")
    try:
        if _png_sixteen_bit_colour(path):
            pixels = _read_sixteen_bit_png(path)
        else:
            # tifffile, not Pillow, for TIFF: Pillow reads 16-bit colour TIFFs as 8 bits too.
            pixels = iio.imread(path, plugin=plugin(path))
    except Exception as error:
        raise ImageFileError(
            f"{path}: not an image imageio can read ({type(error).__name__}: {error})"
        ) from None
    if pixels.dtype == bool:  # a 1-bit image: its two levels are 8-bit's black and white
        pixels = pixels.astype(np.uint8) * 255
    if pixels.dtype.type not in SAMPLE_TYPES:
        raise ImageFileError(
            f"{path}: samples of type {pixels.dtype}, not one of 8-bit, 16-bit or floating point"
        )
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[..., 0]
    if pixels.ndim not in (2, 3) or (pixels.ndim == 3 and pixels.shape[2] not in (2, 3, 4)):
        raise ImageFileError(f"{path}: an array of shape {pixels.shape}, not a grey or colour picture")
    pixels = orient(pixels, _orientation(path, is_tiff))
    has_alpha = pixels.ndim == 3 and pixels.shape[2] in (2, 4)
    planes = pixels[..., :-1] if has_alpha else pixels
    if planes.ndim == 3 and planes.shape[2] == 1:
        planes = planes[..., 0]
    return ImageFile(planes=planes, alpha=pixels[..., -1] if has_alpha else None, dtype=pixels.dtype)


def to_unit(planes):
    """Return integer or float samples as float32 in [0, 1] (integers divided by their largest level)."""
    if np.issubdtype(planes.dtype, np.integer):
        return planes.astype(np.float32) / np.float32(np.iinfo(planes.dtype).max)
    return np.clip(planes, 0, 1).astype(np.float32)


def from_unit(values, dtype):
    """Return values in [0, 1] as samples of ``dtype``: rounded to its nearest level, clipped."""
    values = np.clip(values, 0, 1)
    if np.issubdtype(dtype, np.integer):
        return np.round(values * np.iinfo(dtype).max).astype(dtype)
    return values.astype(dtype)


def check_writable(path, image):
    """Raise :class:`ImageFileError` if the format of ``path`` cannot hold ``image`` exactly.

    JPEG holds 8-bit samples without alpha; floating-point samples need a TIFF. The message says
    which ending to use.
    """
    ending = os.path.splitext(path)[1].lower()
    is_tiff = ending in (".tif", ".tiff")
    if not is_image_path(path):
        raise ImageFileError(f"{path}: an output needs an image file ending, such as .png, .jpg or .tif")
    if image.dtype.type in (np.float32, np.float64) and not is_tiff:
        raise ImageFileError(f"{path}: floating-point samples need a .tif output")
    if ending in JPEG_ENDINGS and (image.dtype != np.uint8 or image.alpha is not None):
        what = "16-bit samples" if image.dtype != np.uint8 else "an alpha channel"
        raise ImageFileError(f"{path}: JPEG cannot hold {what}; write a .png or .tif instead")
    if not is_tiff and ending != ".png" and image.dtype == np.uint16:
        raise ImageFileError(f"{path}: 16-bit samples are written as .png or .tif only")


def write_image_file(path, image):
    """Write ``image`` to ``path`` in the format its ending names, atomically, bit depth kept.

    Parameters
    ----------
    path : str
        The output; its folder is created if missing.
    image : ImageFile
        The picture, upright: the file gets no orientation tag, so viewers show it as it is.

    Raises
    ------
    ImageFileError
        If the format cannot hold the image exactly (:func:`check_writable`).
    """
    check_writable(path, image)
    ending = os.path.splitext(path)[1].lower()
    options = {"quality": JPEG_QUALITY} if ending in JPEG_ENDINGS else {}
    with files.atomic_path(path) as temporary:
        if ending == ".png" and image.dtype == np.uint16 and (image.is_colour or image.alpha is not None):
            _write_sixteen_bit_png(temporary, image.pixels())
        else:
            iio.imwrite(temporary, image.pixels(), plugin=plugin(path), extension=ending, **options)
