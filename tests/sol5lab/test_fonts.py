"""The larger text set: fonts out of a small package made here, the glyph check, the pages."""

import hashlib
import os
import shutil
import subprocess

import numpy as np
import pytest

from sol5lab import datasets, fonts

needs_dpkg = pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb (Debian) is needed")


def matplotlib_font(name):
    return os.path.join(fonts_folder(), name)


def fonts_folder():
    import matplotlib

    return os.path.join(matplotlib.get_data_path(), "fonts", "ttf")


@pytest.fixture
def font_package(tmp_path, monkeypatch):
    """A .deb named fake-fonts holding two of matplotlib's fonts: a text font and a display font
    with no letters (DejaVu Display); the data root moved into ``tmp_path``."""
    tree = tmp_path / "tree"
    (tree / "DEBIAN").mkdir(parents=True)
    (tree / "DEBIAN" / "control").write_text(
        "Package: fake-fonts\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@t>\nDescription: test\n"
    )
    folder = tree / "usr" / "share" / "fonts"
    folder.mkdir(parents=True)
    for name in ("DejaVuSerif.ttf", "DejaVuSansDisplay.ttf"):
        shutil.copyfile(os.path.join(fonts_folder(), name), folder / name)
    cache = tmp_path / "cache"
    cache.mkdir()
    subprocess.run(
        ["dpkg-deb", "--build", str(tree), str(cache / "fake-fonts_1.0_all.deb")],
        check=True,
        capture_output=True,
    )
    monkeypatch.setattr(fonts, "data_root", lambda: str(tmp_path / "data"))

    def source(name):
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()[:16]
        return fonts.Font("fake-fonts", f"usr/share/fonts/{name}", digest)

    return cache, source


def no_apt(*args, **kwargs):
    raise AssertionError("apt-get was run although the package is in the cache")


def test_the_glyph_check_tells_a_text_font_from_one_without_letters():
    assert fonts.draws_every_character(os.path.join(fonts_folder(), "DejaVuSans.ttf"))
    assert not fonts.draws_every_character(os.path.join(fonts_folder(), "DejaVuSansDisplay.ttf"))


@needs_dpkg
def test_a_font_is_copied_checked_and_built_once(font_package):
    cache, source = font_package
    written = fonts.build_fonts(
        cache_dir=str(cache), sources=(source("DejaVuSerif.ttf"),), run=subprocess.run
    )
    assert [os.path.basename(path) for path in written] == ["DejaVuSerif.ttf"]
    with (
        open(written[0], "rb") as copy,
        open(os.path.join(fonts_folder(), "DejaVuSerif.ttf"), "rb") as original,
    ):
        assert copy.read() == original.read()
    assert fonts.build_fonts(cache_dir=str(cache), sources=(source("DejaVuSerif.ttf"),), run=no_apt) == []


@needs_dpkg
def test_a_changed_file_or_a_font_without_letters_is_refused_and_not_kept(font_package):
    cache, source = font_package
    changed = fonts.Font("fake-fonts", "usr/share/fonts/DejaVuSerif.ttf", "0000")
    with pytest.raises(ValueError, match="is not the file this set was made from.*FONT_SOURCES"):
        fonts.build_fonts(cache_dir=str(cache), sources=(changed,))
    with pytest.raises(ValueError, match="DejaVuSansDisplay.ttf does not draw every character"):
        fonts.build_fonts(cache_dir=str(cache), sources=(source("DejaVuSansDisplay.ttf"),))
    assert not os.path.exists(os.path.join(fonts.fonts_dir(), "DejaVuSansDisplay.ttf"))


def test_the_reserved_packages_are_refused_and_no_source_is_one():
    reserved = (fonts.Font("mate-backgrounds", "usr/share/x.ttf", "00"),)
    with pytest.raises(ValueError, match="mate-backgrounds is reserved"):
        fonts.build_fonts(sources=reserved, run=no_apt)
    assert len({font.name for font in fonts.FONT_SOURCES}) == len(fonts.FONT_SOURCES)


def test_missing_fonts_say_how_to_build_them(tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "data_root", lambda: str(tmp_path))
    with pytest.raises(FileNotFoundError, match="make text-more"):
        fonts.font_paths()


def test_a_style_of_two_columns_sets_text_in_both_halves_and_the_course_style_in_one():
    style = datasets.TextStyle(
        fonts=("DejaVuSans.ttf",), font_size_range=(10, 10), ink_range=(0, 0), paper_range=(255, 255),
        page_side_range=(300, 300), max_columns=2,
    )  # fmt: skip
    widest_gaps = []
    for seed in range(12):
        page = datasets.render_text_page(np.random.default_rng(seed), height=200, width=300, style=style)
        inked = np.flatnonzero((page < 128).any(axis=0))
        widest_gaps.append(int(np.diff(inked).max()) - 1)  # the widest blank strip inside the text
    assert any(gap >= 10 for gap in widest_gaps)  # two columns: a gutter of the font size, 10 px
    assert any(gap < 10 for gap in widest_gaps)  # one column: lines run across, no such strip
    course = datasets.render_text_page(np.random.default_rng(0), height=200, width=300)
    assert (course < 128).any()
