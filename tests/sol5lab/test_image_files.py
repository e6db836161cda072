"""Image files as users have them: bit depth, alpha and orientation survive a read and a write."""

import struct
import zlib

import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image, ImageOps

from sol5lab import image_files
from sol5lab.image_files import ImageFile, ImageFileError


def samples(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if np.issubdtype(dtype, np.integer):
        return rng.integers(0, np.iinfo(dtype).max, size=shape, endpoint=True).astype(dtype)
    return rng.random(shape).astype(dtype)


def png_16_bit_colour(path, pixels):
    """Write a 16-bit RGB PNG by hand: Pillow cannot, and imageio's reader would cut it to 8 bits."""
    height, width, _ = pixels.shape
    rows = b"".join(b"\x00" + pixels[row].astype(">u2").tobytes() for row in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "name, shape, dtype",
    [
        ("grey.png", (20, 30), np.uint8),
        ("colour.png", (20, 30, 3), np.uint8),
        ("alpha.png", (20, 30, 4), np.uint8),
        ("grey_alpha.png", (20, 30, 2), np.uint8),
        ("grey16.png", (20, 30), np.uint16),
        ("colour16.tif", (20, 30, 3), np.uint16),
        ("alpha16.tif", (20, 30, 4), np.uint16),
        ("float.tif", (20, 30, 3), np.float32),
    ],
)
def test_a_file_reads_and_writes_back_sample_for_sample(tmp_path, name, shape, dtype):
    pixels = samples(shape, dtype)
    iio.imwrite(tmp_path / name, pixels)
    image = image_files.read_image_file(str(tmp_path / name))
    assert image.dtype == dtype and image.planes.dtype == dtype
    assert image.is_colour == (len(shape) == 3 and shape[2] >= 3)
    assert (image.alpha is not None) == (len(shape) == 3 and shape[2] in (2, 4))
    if image.alpha is not None:
        np.testing.assert_array_equal(image.alpha, pixels[..., -1])
    copy = tmp_path / f"copy_{name}"
    image_files.write_image_file(str(copy), image)
    np.testing.assert_array_equal(iio.imread(copy), pixels)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_the_exif_orientation_turns_the_picture_as_pillow_does(tmp_path, orientation):
    pixels = samples((6, 10, 3), np.uint8)
    exif = Image.Exif()
    exif[image_files.ORIENTATION_TAG] = orientation
    Image.fromarray(pixels).save(tmp_path / "turned.png", exif=exif)
    upright = np.asarray(ImageOps.exif_transpose(Image.open(tmp_path / "turned.png")))
    np.testing.assert_array_equal(image_files.read_image_file(str(tmp_path / "turned.png")).planes, upright)


def test_a_16_bit_colour_png_keeps_all_16_bits_in_and_out(tmp_path):
    pixels = samples((4, 5, 3), np.uint16)
    png_16_bit_colour(tmp_path / "deep.png", pixels)
    assert iio.imread(tmp_path / "deep.png").dtype == np.uint8  # what reading it blindly would give
    image = image_files.read_image_file(str(tmp_path / "deep.png"))
    assert image.dtype == np.uint16
    np.testing.assert_array_equal(image.planes, pixels)
    for name, alpha in (("copy.png", None), ("copy_alpha.png", samples((4, 5), np.uint16))):
        image_files.write_image_file(str(tmp_path / name), image_files.ImageFile(pixels, alpha, np.uint16))
        header = (tmp_path / name).read_bytes()[:26]
        assert (header[24], header[25]) == (16, 2 if alpha is None else 6)  # 16-bit RGB or RGBA
        again = image_files.read_image_file(str(tmp_path / name))
        np.testing.assert_array_equal(again.planes, pixels)
        if alpha is not None:
            np.testing.assert_array_equal(again.alpha, alpha)


def test_missing_and_unreadable_files_name_themselves(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.png: no such file"):
        image_files.read_image_file(str(tmp_path / "nothing.png"))
    (tmp_path / "text.png").write_text("not an image")
    with pytest.raises(ImageFileError, match="text.png: not an image imageio can read"):
        image_files.read_image_file(str(tmp_path / "text.png"))


@pytest.mark.parametrize(
    "name, dtype, channels, said",
    [
        ("out.jpg", np.uint16, 0, "JPEG cannot hold 16-bit"),
        ("out.jpeg", np.uint8, 4, "JPEG cannot hold an alpha"),
        ("out.bmp", np.uint16, 3, r"16-bit samples are written as \.png or \.tif"),
        ("out.png", np.float32, 0, r"\.tif"),
        ("out.txt", np.uint8, 0, "image file ending"),
    ],
)
def test_a_format_that_cannot_hold_the_image_is_refused_before_writing(tmp_path, name, dtype, channels, said):
    shape = (8, 8, channels) if channels else (8, 8)
    pixels = samples(shape, dtype)
    image = ImageFile(
        planes=pixels[..., :3] if channels else pixels,
        alpha=pixels[..., 3] if channels == 4 else None,
        dtype=dtype,
    )
    with pytest.raises(ImageFileError, match=said):
        image_files.write_image_file(str(tmp_path / name), image)
    assert not list(tmp_path.iterdir())  # nothing written, not even a temporary file


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_every_integer_level_survives_the_trip_through_unit_floats(dtype):
    levels = np.arange(np.iinfo(dtype).max + 1, dtype=dtype)
    unit = image_files.to_unit(levels)
    assert unit.dtype == np.float32 and unit.min() == 0 and unit.max() == 1
    np.testing.assert_array_equal(image_files.from_unit(unit, dtype), levels)


def test_a_folder_lists_its_images_only(tmp_path):
    for name in ("b.png", "a.JPG", "c.tif", ".hidden.png", "notes.txt", "clip.mp4"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "sub.png").mkdir()
    assert [p.rsplit("/", 1)[1] for p in image_files.image_paths(str(tmp_path))] == [
        "a.JPG",
        "b.png",
        "c.tif",
    ]
