"""More text to train on: fonts from Debian's font packages, and a larger set of pages in them.

The course's ``text_dataset/`` is 160 pages in matplotlib's 14 fonts, sizes 10 to 24 px, dark ink
on light paper, one column. The strong deblurring model (:mod:`sol5lab.recipes`) also trains on
``text_more_dataset/train``: :data:`NUM_PAGES` pages in those 14 fonts and the 61 text fonts of
:data:`FONT_SOURCES` (Liberation, GNU FreeFont, URW's base 35: metric clones of Arial, Times,
Courier, Helvetica, Palatino, Bookman, Century Schoolbook, Avant Garde, ...), sizes 8 to 32 px,
fainter ink on darker paper, in one or two columns (:data:`MORE_TEXT_STYLE`). The held-out test
pages stay the course's, so the model is tested on what the course tests.

The fonts are fetched once with ``apt-get download`` (about 14 MB of packages), read out of the
packages with ``dpkg-deb``, checked against their SHA-256 and copied to ``fonts/``; each must draw
every character a page may hold (:func:`draws_every_character`). Run ``python -m sol5lab.fonts``
(``make text-more``); it needs ``apt-get`` and ``dpkg-deb`` (Debian or Ubuntu).
"""

import argparse
import dataclasses
import functools
import os
import subprocess
import sys

import numpy as np

from sol5_utils import data_root
from sol5lab import datasets, files
from sol5lab.debian import check_digest, check_not_reserved, package_file, package_members

#: The larger text set's size and seed.
NUM_PAGES = 1200
MORE_TEXT_SEED = 71_2026


@dataclasses.dataclass(frozen=True)
class Font:
    """One font file: its Debian package, its path inside it, its SHA-256 (a prefix)."""

    package: str
    member: str
    sha256: str

    @property
    def name(self):
        """The file's name in ``fonts/``."""
        return os.path.basename(self.member)


def _fonts_of(package, folder, table):
    return tuple(Font(package, f"{folder}/{name}", digest) for name, digest in table)


#: The fonts, by package. Left out of URW's set: its symbol and dingbat fonts
#: (StandardSymbolsPS, D050000L), which hold no letters.
FONT_SOURCES = (
    *_fonts_of("fonts-liberation", "usr/share/fonts/truetype/liberation", (
        ("LiberationMono-Bold.ttf", "267ae0b63fc67980"),
        ("LiberationMono-BoldItalic.ttf", "c8f21356b3948b9a"),
        ("LiberationMono-Italic.ttf", "8d39f087bf0d1035"),
        ("LiberationMono-Regular.ttf", "a2e642d350acb1c5"),
        ("LiberationSans-Bold.ttf", "361c61b82d575c5c"),
        ("LiberationSans-BoldItalic.ttf", "a224075ac17495ad"),
        ("LiberationSans-Italic.ttf", "832b4406dbef2362"),
        ("LiberationSans-Regular.ttf", "f8ace1f892b2bd9d"),
        ("LiberationSansNarrow-Bold.ttf", "f77fe6ca01c8b043"),
        ("LiberationSansNarrow-BoldItalic.ttf", "822ef9cfc11f1409"),
        ("LiberationSansNarrow-Italic.ttf", "a48c86c13c247fbc"),
        ("LiberationSansNarrow-Regular.ttf", "ab9719545aeb2415"),
        ("LiberationSerif-Bold.ttf", "af228b9de767e516"),
        ("LiberationSerif-BoldItalic.ttf", "19c8cef87d611973"),
        ("LiberationSerif-Italic.ttf", "ccd19036f8e8599e"),
        ("LiberationSerif-Regular.ttf", "1c9c77c2cd0f3c2d"),
    )),
    *_fonts_of("fonts-freefont-ttf", "usr/share/fonts/truetype/freefont", (
        ("FreeMono.ttf", "1175cc31865a2a1b"),
        ("FreeMonoBold.ttf", "30b4b98748839431"),
        ("FreeMonoBoldOblique.ttf", "897560b2d1678baf"),
        ("FreeMonoOblique.ttf", "e8d854cbb19b7f3b"),
        ("FreeSans.ttf", "0b602f2825b30f9f"),
        ("FreeSansBold.ttf", "e8b93173d6d8214f"),
        ("FreeSansBoldOblique.ttf", "69cdc7587112f2b2"),
        ("FreeSansOblique.ttf", "31050ee870617c8c"),
        ("FreeSerif.ttf", "12ee050384c99c97"),
        ("FreeSerifBold.ttf", "12bd953ceb1fa8c7"),
        ("FreeSerifBoldItalic.ttf", "86b1ef902639cbe9"),
        ("FreeSerifItalic.ttf", "3049ffb26ed8140c"),
    )),
    *_fonts_of("fonts-urw-base35", "usr/share/fonts/opentype/urw-base35", (
        ("C059-BdIta.otf", "60d0ab6a22e4018b"),
        ("C059-Bold.otf", "75dea10068264324"),
        ("C059-Italic.otf", "77852deabd3a84f7"),
        ("C059-Roman.otf", "e00cc7b88f0cf25a"),
        ("NimbusMonoPS-Bold.otf", "f036d05d2168c7f7"),
        ("NimbusMonoPS-BoldItalic.otf", "a67ed9e364c933c7"),
        ("NimbusMonoPS-Italic.otf", "7f1f85498027e07b"),
        ("NimbusMonoPS-Regular.otf", "4f225ca8e13acb16"),
        ("NimbusRoman-Bold.otf", "e0ad81923bc6d85d"),
        ("NimbusRoman-BoldItalic.otf", "c84bcb17ab4ee54f"),
        ("NimbusRoman-Italic.otf", "b7c424e6cb79badd"),
        ("NimbusRoman-Regular.otf", "fd41669443616a7a"),
        ("NimbusSans-Bold.otf", "7f33328e6b4d4cd2"),
        ("NimbusSans-BoldItalic.otf", "3f47fb34fcb7de09"),
        ("NimbusSans-Italic.otf", "7b0bef5686aa58c0"),
        ("NimbusSans-Regular.otf", "7c25be4d78155523"),
        ("NimbusSansNarrow-Bold.otf", "6d7cec07f5a9035e"),
        ("NimbusSansNarrow-BoldOblique.otf", "3cefbe4a602a08a0"),
        ("NimbusSansNarrow-Oblique.otf", "6fd8dd67ab951f36"),
        ("NimbusSansNarrow-Regular.otf", "0111cf7c05377c4f"),
        ("P052-Bold.otf", "ba6503baaf0f9e4e"),
        ("P052-BoldItalic.otf", "63e15828175e5555"),
        ("P052-Italic.otf", "1feac6055211cf5c"),
        ("P052-Roman.otf", "f054a7389d8d0e9f"),
        ("URWBookman-Demi.otf", "ab8b2fe57cbea978"),
        ("URWBookman-DemiItalic.otf", "4d9dbaae8178ffa2"),
        ("URWBookman-Light.otf", "7b1bc8e6a16cef53"),
        ("URWBookman-LightItalic.otf", "ed722e6c2996b08e"),
        ("URWGothic-Book.otf", "04318316cee29950"),
        ("URWGothic-BookOblique.otf", "ec4e947734950fd3"),
        ("URWGothic-Demi.otf", "5b009410cf5231dc"),
        ("URWGothic-DemiOblique.otf", "d57abaa6d40718cf"),
        ("Z003-MediumItalic.otf", "a04947e59fc9339e"),
    )),
)  # fmt: skip


def fonts_dir():
    """The folder the fonts are copied to: ``fonts/`` in ``sol5_utils.data_root()``."""
    return os.path.join(data_root(), "fonts")


def font_paths(sources=FONT_SOURCES):
    """The absolute paths of the copied fonts, in the order of ``sources``.

    Raises
    ------
    FileNotFoundError
        If a font is missing, saying how to build them.
    """
    paths = [os.path.join(fonts_dir(), font.name) for font in sources]
    missing = [path for path in paths if not os.path.isfile(path)]
    if missing:
        raise FileNotFoundError(f"{missing[0]} is missing: build the fonts with `make text-more`.")
    return tuple(paths)


@functools.cache
def more_text_style():
    """The larger text set's :class:`sol5lab.datasets.TextStyle`: the course's fonts and the
    copied ones, sizes 8 to 32 px, ink 0 to 110 on paper 140 to 255, pages of 224 to 384 px, one
    or two columns."""
    return datasets.TextStyle(
        fonts=datasets.FONT_FILES + font_paths(),
        font_size_range=(8, 32),
        ink_range=(0, 110),
        paper_range=(140, 255),
        page_side_range=(224, 384),
        max_columns=2,
    )


def draws_every_character(path, characters=datasets.TEXT_CHARACTERS, size=24):
    """Whether the font at ``path`` draws each of ``characters`` as a glyph of its own: none is
    blank (but the space) or the font's "missing glyph" box.

    A font that maps letters to other shapes (a math font such as cmex10) passes: the fonts of
    :data:`FONT_SOURCES` were chosen by eye, and this check catches a package that changed."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)

    def drawn(character):
        image = Image.new("L", (3 * size, 2 * size), 0)
        ImageDraw.Draw(image).text((size // 2, size // 4), character, fill=255, font=font)
        return np.asarray(image)

    missing = drawn("\uffff")  # a code point no text font maps: its "missing glyph"
    for character in characters.replace(" ", ""):
        glyph = drawn(character)
        if not glyph.any() or np.array_equal(glyph, missing):
            return False
    return True


def more_text_page(index, *, seed=MORE_TEXT_SEED):
    """Page ``index`` of the larger text set (uint8, both sides in the style's range)."""
    style = more_text_style()
    rng = np.random.default_rng([int(seed), int(index)])
    height = int(rng.integers(style.page_side_range[0], style.page_side_range[1] + 1))
    width = int(rng.integers(style.page_side_range[0], style.page_side_range[1] + 1))
    return datasets.render_text_page(rng, height=height, width=width, style=style)


def build_fonts(*, cache_dir=None, sources=FONT_SOURCES, run=subprocess.run):
    """Copy the fonts of ``sources`` into :func:`fonts_dir`, checked; skip those there.

    Returns
    -------
    list of str
        The paths written.

    Raises
    ------
    ValueError
        If a font is not the file it was chosen as, draws a character badly, or its package is
        reserved.
    """
    folder = fonts_dir()
    cache_dir = os.path.join(folder, ".packages") if cache_dir is None else cache_dir
    todo = [font for font in sources if not os.path.isfile(os.path.join(folder, font.name))]
    written = []
    for package in sorted({font.package for font in todo}):
        check_not_reserved(package, f"the fonts of {package}")
        chosen = [font for font in todo if font.package == package]
        contents = package_members(
            package_file(package, cache_dir, run), [font.member for font in chosen], run
        )
        for font in chosen:
            data = check_digest(
                contents[font.member], font.sha256, f"{font.member} of {package}", "FONT_SOURCES"
            )
            path = os.path.join(folder, font.name)
            with files.atomic_path(path) as temporary, open(temporary, "wb") as file:
                file.write(data)
            if not draws_every_character(path):
                os.remove(path)
                raise ValueError(
                    f"{font.name} does not draw every character of a page: drop it from FONT_SOURCES."
                )
            written.append(path)
    return written


def build_more_text_dataset(root=None, *, num_pages=NUM_PAGES, force=False):
    """Render the larger text set into ``root/train`` (``text_more_dataset`` by default).

    Returns
    -------
    sol5lab.datasets.BuildResult
    """
    root = os.path.join(data_root(), "text_more_dataset") if root is None else os.fspath(root)
    jobs = [
        ("train", datasets.text_page_name(index), lambda index=index: more_text_page(index))
        for index in range(num_pages)
    ]
    return datasets.write_dataset(root, jobs, force)


def main(argv=None):
    """Build the fonts and the larger text set; a failure is one line and exit status 1."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="render every page again")
    args = parser.parse_args(argv)
    try:
        written = build_fonts()
        result = build_more_text_dataset(force=args.force)
    except (OSError, ValueError, KeyError, RuntimeError, subprocess.CalledProcessError) as error:
        print(f"sol5lab.fonts: {error}", file=sys.stderr)
        return 1
    print(
        f"fonts: {len(written)} written, {len(FONT_SOURCES) - len(written)} already present in {fonts_dir()}"
    )
    print(f"text_more_dataset: {len(result.written)} pages written, {len(result.present)} already present")
    return 0


if __name__ == "__main__":
    sys.exit(main())
