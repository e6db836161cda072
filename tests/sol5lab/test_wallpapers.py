"""The photo set from wallpaper packages, built from a small package made here."""

import hashlib
import io
import os
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from sol5lab import debian, wallpapers

needs_dpkg = pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb (Debian) is needed")


def jpeg_bytes(size, colour):
    """A smooth JPEG of ``size`` (width, height) around ``colour``."""
    columns = np.linspace(0, 40, size[0])[np.newaxis, :, np.newaxis]
    pixels = np.clip(
        np.array(colour)[np.newaxis, np.newaxis, :] + columns + np.zeros((size[1], 1, 1)), 0, 255
    )
    buffer = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    """A .deb named fake-wallpapers with two photographs, and the sources that list them."""
    folder = tmp_path_factory.mktemp("deb")
    tree = folder / "tree"
    (tree / "DEBIAN").mkdir(parents=True)
    (tree / "DEBIAN" / "control").write_text(
        "Package: fake-wallpapers\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@t>\nDescription: test\n"
    )
    images = tree / "usr" / "share" / "backgrounds"
    images.mkdir(parents=True)
    files = {
        "wide.jpg": jpeg_bytes((2048, 1024), (60, 120, 180)),
        "small.jpg": jpeg_bytes((300, 200), (200, 90, 30)),
    }
    for name, data in files.items():
        (images / name).write_bytes(data)
    cache = folder / "cache"
    cache.mkdir()
    subprocess.run(
        ["dpkg-deb", "--build", str(tree), str(cache / "fake-wallpapers_1.0_all.deb")],
        check=True,
        capture_output=True,
    )
    sources = tuple(
        wallpapers.Photo(
            "fake-wallpapers",
            f"usr/share/backgrounds/{name}",
            hashlib.sha256(data).hexdigest()[:16],
        )
        for name, data in files.items()
    )
    return cache, sources, files


def no_apt(*args, **kwargs):
    if args[0][0] == "apt-get":
        raise AssertionError("the cached package must be used, not downloaded")
    return subprocess.run(*args, **kwargs)


@needs_dpkg
def test_builds_the_listed_photographs_reduced_and_keeps_them(tmp_path, package):
    cache, sources, files = package
    result = wallpapers.build_photo_dataset(tmp_path, cache_dir=str(cache), sources=sources, run=no_apt)
    assert sorted(os.path.basename(path) for path in result.written) == [
        "fake-wallpapers__small.png",
        "fake-wallpapers__wide.png",
    ]
    wide = np.asarray(Image.open(tmp_path / "train" / "fake-wallpapers__wide.png"))
    assert wide.shape == (512, 1024, 3) and wide.dtype == np.uint8  # long side reduced to 1024
    original = np.asarray(Image.open(io.BytesIO(files["wide.jpg"])), dtype=float)
    assert np.abs(wide.mean(axis=(0, 1)) - original.mean(axis=(0, 1))).max() < 1.0  # the same picture
    small = np.asarray(Image.open(tmp_path / "train" / "fake-wallpapers__small.png"))
    np.testing.assert_array_equal(
        small, np.asarray(Image.open(io.BytesIO(files["small.jpg"])))
    )  # not enlarged
    before = os.path.getmtime(tmp_path / "train" / "fake-wallpapers__wide.png")
    again = wallpapers.build_photo_dataset(tmp_path, cache_dir=str(cache), sources=sources, run=no_apt)
    assert again.written == () and len(again.present) == 2
    assert os.path.getmtime(tmp_path / "train" / "fake-wallpapers__wide.png") == before


@needs_dpkg
def test_a_changed_or_missing_file_is_refused_naming_it(tmp_path, package):
    cache, sources, _ = package
    changed = (wallpapers.Photo(sources[0].package, sources[0].member, "0000000000000000"),)
    with pytest.raises(ValueError, match=r"wide\.jpg of fake-wallpapers is not the file"):
        wallpapers.build_photo_dataset(tmp_path, cache_dir=str(cache), sources=changed, run=no_apt)
    missing = (wallpapers.Photo("fake-wallpapers", "usr/share/backgrounds/gone.jpg", "00"),)
    with pytest.raises(KeyError, match="gone.jpg"):
        wallpapers.build_photo_dataset(tmp_path, cache_dir=str(cache), sources=missing, run=no_apt)
    assert not (tmp_path / "train").exists() or os.listdir(tmp_path / "train") == []


def test_the_reserved_packages_are_never_a_source(tmp_path):
    for package in ("opencv-doc", "mate-backgrounds"):
        reserved = (wallpapers.Photo(package, "usr/share/backgrounds/x.jpg", "00"),)
        with pytest.raises(ValueError, match=f"{package} is reserved"):
            wallpapers.build_photo_dataset(tmp_path, sources=reserved, run=no_apt)
    wallpapers.check_sources(wallpapers.PHOTO_SOURCES)  # the shipped list passes the same check
    assert not {photo.package for photo in wallpapers.PHOTO_SOURCES} & debian.RESERVED_PACKAGES


def test_without_apt_the_build_says_where_it_can_run(tmp_path):
    def missing_apt(*args, **kwargs):
        raise FileNotFoundError("apt-get")

    with pytest.raises(FileNotFoundError, match="apt-get is not on this system"):
        wallpapers.package_file("fake-wallpapers", str(tmp_path), run=missing_apt)
