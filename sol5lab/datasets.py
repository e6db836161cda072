"""Build the two datasets of exercise 5 offline and deterministically.

``image_dataset/{train,test}``
    Natural photographs that scikit-image ships inside its wheel, copied losslessly to PNG at
    their original resolution (colour stays colour). The split is by image, see
    :data:`IMAGE_SPLITS`.

``text_dataset/{train,test}``
    Greyscale pages of printed English-like text, rendered with Pillow in the fonts that
    matplotlib ships. Page ``i`` of a split is a pure function of ``(split, i, TEXT_SEED)``, so
    every run writes the same pixels, on every machine with the same Pillow (whose wheels
    bundle FreeType).

Run ``python -m sol5lab.datasets`` (or ``make datasets``). A file that already exists is never
touched unless ``--force`` is given, and only this module's own file names are ever written, so
images a user drops into ``train/`` or ``test/`` are safe.
"""

import argparse
import dataclasses
import functools
import os
import string

import imageio.v3 as iio
import numpy as np

from sol5_utils import data_root
from sol5lab import files

#: zlib level of the PNG files: 3 writes the big photographs three times faster than the
#: default 6, for files about 10% larger (they are generated, never committed).
PNG_COMPRESS_LEVEL = 3

# --------------------------------------------------------------------------------------------
# Image dataset: which scikit-image pictures, and how they are split.
# --------------------------------------------------------------------------------------------

#: Every source photograph: our file stem -> (``skimage.data`` loader, index into the loader's
#: tuple or None, the file inside ``skimage/data`` it reads). The file is listed so that the
#: build can refuse, instead of downloading, if a future wheel stops shipping it.
#: Deliberately left out: text, page and logo (not photographs), horse, chessboard, color and
#: phantom (synthetic), clock (already motion-blurred) and motorcycle_right (the same scene as
#: motorcycle_left, which would leak between the splits).
IMAGE_SOURCES = {
    "astronaut": ("astronaut", None, "astronaut.png"),
    "brick": ("brick", None, "brick.png"),
    "camera": ("camera", None, "camera.png"),
    "cell": ("cell", None, "cell.png"),
    "chelsea": ("chelsea", None, "chelsea.png"),
    "coffee": ("coffee", None, "coffee.png"),
    "coins": ("coins", None, "coins.png"),
    "grass": ("grass", None, "grass.png"),
    "gravel": ("gravel", None, "gravel.png"),
    "hubble_deep_field": ("hubble_deep_field", None, "hubble_deep_field.jpg"),
    "ihc": ("immunohistochemistry", None, "ihc.png"),
    "moon": ("moon", None, "moon.png"),
    "motorcycle_left": ("stereo_motorcycle", 0, "motorcycle_left.png"),
    "retina": ("retina", None, "retina.jpg"),
    "rocket": ("rocket", None, "rocket.jpg"),
}

#: Held-out photographs: grey and colour, fine texture (grass) and smooth objects with sharp
#: edges (camera, coffee, rocket), like the training set.
IMAGE_TEST = ("camera", "coffee", "grass", "rocket")

#: The split of the image dataset: split name -> file stems. Splitting by image (not by patch)
#: keeps every test pixel unseen during training.
IMAGE_SPLITS = {
    "train": tuple(name for name in IMAGE_SOURCES if name not in IMAGE_TEST),
    "test": IMAGE_TEST,
}

# --------------------------------------------------------------------------------------------
# Text dataset: seeds, page geometry, fonts and words.
# --------------------------------------------------------------------------------------------

#: The base seed of every text page. Changing it changes every page.
TEXT_SEED = 52024

#: Each split mixes its own number into the seed, so no test page repeats a training page.
TEXT_SPLIT_IDS = {"train": 0, "test": 1}

#: Default number of pages per split.
DEFAULT_NUM_TRAIN = 160
DEFAULT_NUM_TEST = 24

#: Range of a generated page's height and width in pixels (inclusive).
PAGE_SIDE_RANGE = (224, 320)

#: The smallest page :func:`render_text_page` accepts: the training code crops patches out of
#: pages, and a smaller page would hold hardly a word.
MIN_PAGE_SIDE = 48

#: Range of the font size in pixels (inclusive).
FONT_SIZE_RANGE = (10, 24)

#: Range of the ink's and the paper's grey level (inclusive), drawn per page so that a model
#: cannot rely on pure black on pure white.
INK_RANGE = (0, 60)
PAPER_RANGE = (200, 255)

#: Range of the line pitch as a multiple of the font size.
LINE_SPACING_RANGE = (1.15, 1.5)

#: TrueType files in matplotlib's ``fonts/ttf`` folder: its text fonts, each checked to draw
#: every character of :data:`TEXT_CHARACTERS` as a real glyph. Left out: the DejaVu Display
#: and STIX NonUni/Siz* files (no letters at all) and the math fonts cmmi10, cmsy10, cmex10.
FONT_FILES = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique.ttf",
    "DejaVuSerif.ttf",
    "DejaVuSerif-Bold.ttf",
    "DejaVuSerif-Italic.ttf",
    "DejaVuSansMono.ttf",
    "STIXGeneral.ttf",
    "STIXGeneralBol.ttf",
    "STIXGeneralItalic.ttf",
    "cmr10.ttf",
    "cmss10.ttf",
    "cmtt10.ttf",
    "cmti10.ttf",
)

#: Every character a page may contain. No double quotes: the Computer Modern fonts draw '"'
#: as a closing curly quote, so it would look wrong in half the pages.
TEXT_CHARACTERS = string.ascii_letters + string.digits + " .,;:?!'-()"


@dataclasses.dataclass(frozen=True)
class TextStyle:
    """The ranges a text page is drawn from.

    Attributes
    ----------
    fonts : tuple of str
        Font files: names in matplotlib's ``fonts/ttf`` folder, or absolute paths.
    font_size_range, ink_range, paper_range, page_side_range : tuple of int
        Inclusive ranges: the font size in pixels, the ink's and the paper's grey level, a
        page's height and width.
    max_columns : int
        Pages are set in 1 to ``max_columns`` columns (drawn per page when above 1).
    """

    fonts: tuple
    font_size_range: tuple
    ink_range: tuple
    paper_range: tuple
    page_side_range: tuple
    max_columns: int = 1


#: The course's pages (``text_dataset``): one column, matplotlib's fonts, the ranges above.
COURSE_TEXT_STYLE = TextStyle(FONT_FILES, FONT_SIZE_RANGE, INK_RANGE, PAPER_RANGE, PAGE_SIDE_RANGE)


# Common English words; sentences are random sequences of them, which gives realistic letter
# shapes, word lengths and spacing without shipping a corpus.
_WORDS_TEXT = """
    a about above across act add after again against age ago air all almost alone along
    already also always among an and animal another answer any anything appear are area arm
    around art as ask at away back ball bank base be bear beautiful became because become bed
    been before began begin behind being believe below best better between big bird black
    blue boat body book both bottom box boy bring brought build built but buy by call came
    can car care carry case cat cause center certain chair change check child children city
    class clear close cold color come common company complete could country course cover
    cross cut dark day deep did different do does dog done door down draw dream drive dry
    during each early earth east easy eat edge end enough even evening ever every example eye
    face fact fall family far farm fast father feel feet few field figure fill find fine fire
    first fish five floor fly follow food foot for force form found four free friend from
    front full game gave general get girl give glass go gold good got govern great green
    ground group grow half hand happen happy hard has have he head hear heard heart heat help
    her here high hill him his hold hole home horse hot hour house how however hundred idea
    if important in inch interest into iron is island it its just keep kept kind king knew
    know land language large last late later laugh lay lead learn least leave left less let
    letter life light like line list listen little live long look lost lot love low machine
    made main make man many map mark matter may me mean measure men might mile mind minute
    miss money month moon more morning most mother mountain move much music must my name near
    need never new next night no north note nothing notice now number object of off often oh
    old on once one only open or order other our out over own page paint paper part pass past
    people perhaps person picture piece place plain plan plant play point poor possible power
    present pretty problem product pull put question quick quite rain ran reach read ready
    real reason record red remember rest river road rock room round rule run said same saw
    say school science sea second see seem seen sentence set several shape she ship short
    should show side simple since sing sit six size sky slow small snow so some something
    song soon sound south space speak special spring stand star start state stay step still
    stood stop story street strong study such summer sun sure surface table tail take talk
    tell ten test than that the their them then there these they thing think this those
    though thought thousand three through time to today together told too took top toward
    town travel tree true try turn two under unit until up upon us use usual very voice
    wait walk wall want war warm was watch water wave way we weather week well went were west
    what wheel when where which while white who whole why wide will wind window winter with
    without wood word work world would write year yes yet you young your don't it's can't
    well-known
"""
#: The words of running text, see ``_WORDS_TEXT``.
WORDS = tuple(_WORDS_TEXT.split())

#: How sentences end: mostly full stops, sometimes a question or an exclamation.
SENTENCE_ENDS = (".", ".", ".", ".", ".", ".", ".", ".", "?", "!")

# --------------------------------------------------------------------------------------------
# Rendering text pages.
# --------------------------------------------------------------------------------------------


def _fonts_dir():
    """Return the folder of matplotlib's TrueType fonts."""
    import matplotlib

    return os.path.join(matplotlib.get_data_path(), "fonts", "ttf")


@functools.cache
def _load_font(font_file, size):
    """Return a Pillow font, cached because parsing a TTF file costs more than a page.

    ``font_file`` is a name in matplotlib's folder, or an absolute path."""
    from PIL import ImageFont

    path = font_file if os.path.isabs(font_file) else os.path.join(_fonts_dir(), font_file)
    # The basic layout engine is part of Pillow itself; libraqm (used when installed) shapes
    # text differently, and the pages must not depend on which libraries a machine has.
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)


def _draw_int(rng, low_high):
    """Draw an integer uniformly from an inclusive ``(low, high)`` range."""
    low, high = low_high
    return int(rng.integers(low, high + 1))


def _sentence(rng):
    """Return one random capitalised sentence with occasional commas, numbers and brackets."""
    words = [WORDS[i] for i in rng.integers(0, len(WORDS), size=_draw_int(rng, (3, 14)))]
    if rng.random() < 0.15:
        words[int(rng.integers(0, len(words)))] = str(_draw_int(rng, (2, 2024)))
    # Brackets before commas, so that a comma lands after a closing bracket, not inside it.
    if len(words) >= 6 and rng.random() < 0.1:
        start = int(rng.integers(1, len(words) - 2))
        words[start] = "(" + words[start]
        words[start + 1] += ")"
    if len(words) >= 6 and rng.random() < 0.5:
        position = int(rng.integers(1, len(words) - 2))
        words[position] += "," if rng.random() < 0.8 else ";:"[int(rng.integers(0, 2))]
    words[0] = words[0][0].upper() + words[0][1:]
    return " ".join(words) + SENTENCE_ENDS[int(rng.integers(0, len(SENTENCE_ENDS)))]


def _tokens(rng):
    """Yield the words of running text forever; ``None`` marks the start of a new paragraph."""
    while True:
        yield from _sentence(rng).split(" ")
        if rng.random() < 0.12:
            yield None


def _layout_lines(rng, font, font_size, box):
    """Break running text into lines that fill a box, like a page of a book.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the words, the line pitch and the paragraph indent.
    font : PIL.ImageFont.FreeTypeFont
        The font the lines will be drawn in.
    font_size : int
        The font's size in pixels.
    box : tuple of int
        ``(left, top, right, bottom)``: the text block, in pixels; right and bottom exclusive.

    Returns
    -------
    list of tuple
        ``(x, y, text)`` per line, for ``ImageDraw.text`` with its default top-left anchor.
        Every line's ink box (``font.getbbox``) lies inside ``box``.
    """
    left, top, right, bottom = box
    pitch = max(1, round(font_size * rng.uniform(*LINE_SPACING_RANGE)))
    indent = " " * int(rng.integers(0, 5))
    # Most pages run to the bottom margin; some stop early, like the last page of a chapter
    # (but never before their first line).
    last_line_top = bottom
    if rng.random() < 0.2:
        last_line_top = top + int((bottom - top) * rng.uniform(0.4, 1.0))

    def fits(text, y):
        x0, y0, x1, y1 = font.getbbox(text)
        # Italic glyphs may reach left of the pen; such a line is drawn shifted right by that
        # much, so its full ink width must fit.
        return x1 - min(x0, 0) <= right - left and top <= y + y0 and y + y1 <= bottom

    lines = []
    y = top
    line, has_words = indent, False
    skipped_in_a_row = 0
    for token in _tokens(rng):
        # "Mg" spans cap height and descender: once it no longer fits, the page is full.
        if skipped_in_a_row >= 100 or y > last_line_top or not fits("Mg", y):
            break
        if token is None:
            if has_words:
                lines.append((line, y))
                y += pitch
                line, has_words = indent, False
            continue
        candidate = f"{line} {token}" if has_words else line + token
        if fits(candidate, y):
            line, has_words, skipped_in_a_row = candidate, True, 0
        elif has_words:
            lines.append((line, y))
            y += pitch
            line, has_words = "", False
            if fits(token, y):
                line, has_words = token, True
        elif line and fits(token, y):
            # The paragraph indent leaves no room for this word on a narrow page: drop it.
            line, has_words, skipped_in_a_row = token, True, 0
        else:
            # A word wider than the whole line (large font, narrow page) is left out.
            skipped_in_a_row += 1
    if has_words:
        lines.append((line, y))
    return [(left - min(font.getbbox(text)[0], 0), y, text) for text, y in lines]


def _column_boxes(box, columns, gutter):
    """Split the text block ``box`` into ``columns`` side by side, ``gutter`` pixels apart
    (fewer where the block is too narrow for them)."""
    left, top, right, bottom = box
    while columns > 1 and (right - left - (columns - 1) * gutter) // columns < 4 * gutter:
        columns -= 1
    width = (right - left - (columns - 1) * gutter) // columns
    return [
        (left + index * (width + gutter), top, left + index * (width + gutter) + width, bottom)
        for index in range(columns)
    ]


def render_text_page(rng, *, height=256, width=256, font_file=None, font_size=None, style=COURSE_TEXT_STYLE):
    """Render a page of printed English-like text: dark ink on light paper.

    The paper and ink grey levels, the margins, the line pitch and the words are drawn from
    ``rng``, as are the font and its size unless given.

    Parameters
    ----------
    rng : numpy.random.Generator
        The only source of randomness; the same generator state gives the same page.
    height, width : int, optional
        The page's size in pixels, each at least :data:`MIN_PAGE_SIDE`.
    font_file : str, optional
        One of the style's fonts; drawn from ``rng`` when None.
    font_size : int, optional
        The font size in pixels, at least 6; drawn from the style's range when None. A size
        too large for the page gives a page with few or no words.
    style : TextStyle, optional
        The ranges the page is drawn from; the course's by default (whose pages draw exactly
        the numbers they always drew). A style of several columns sets the page in 1 to
        ``max_columns`` columns, a gutter of one font size apart.

    Returns
    -------
    numpy.ndarray
        Shape ``(height, width)``, uint8: the paper's grey level (in the style's range) with
        anti-aliased text in the ink's grey level (in its range), inside margins of at least 6
        pixels on every side.

    Raises
    ------
    TypeError
        If ``rng`` is not a ``numpy.random.Generator``.
    ValueError
        If the size, the font file or the font size is not allowed.
    """
    from PIL import Image, ImageDraw

    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}."
        )
    for label, side in (("height", height), ("width", width)):
        if not isinstance(side, (int, np.integer)) or isinstance(side, bool):
            raise TypeError(f"{label} must be an integer, got {side!r}.")
        if side < MIN_PAGE_SIDE:
            raise ValueError(f"{label} must be at least {MIN_PAGE_SIDE} pixels, got {side}.")
    if font_file is None:
        font_file = style.fonts[int(rng.integers(0, len(style.fonts)))]
    elif font_file not in style.fonts:
        raise ValueError(f"font_file must be one of {', '.join(style.fonts)}; got {font_file!r}.")
    if font_size is None:
        font_size = _draw_int(rng, style.font_size_range)
    elif not isinstance(font_size, (int, np.integer)) or isinstance(font_size, bool):
        raise TypeError(f"font_size must be an integer, got {font_size!r}.")
    elif font_size < 6:
        raise ValueError(f"font_size must be at least 6 pixels, got {font_size}.")
    height, width, font_size = int(height), int(width), int(font_size)

    paper = _draw_int(rng, style.paper_range)
    ink = _draw_int(rng, style.ink_range)
    # Margins grow with the page, like a printed page's, and never vanish: a model must also
    # learn to leave blank paper blank.
    left, top, right, bottom = (_draw_int(rng, (6, max(6, min(height, width) // 8))) for _ in range(4))
    font = _load_font(font_file, font_size)
    columns = _draw_int(rng, (1, style.max_columns)) if style.max_columns > 1 else 1
    lines = []
    for box in _column_boxes((left, top, width - right, height - bottom), columns, gutter=font_size):
        lines += _layout_lines(rng, font, font_size, box)

    page = Image.new("L", (width, height), color=paper)
    draw = ImageDraw.Draw(page)
    for x, y, text in lines:
        draw.text((x, y), text, fill=ink, font=font)
    return np.array(page, dtype=np.uint8)


def text_page(split, index, *, seed=TEXT_SEED):
    """Return page ``index`` of a split of the text dataset, as written by the build.

    Parameters
    ----------
    split : {"train", "test"}
        The split; each mixes its own number into the seed, so the splits never share a page.
    index : int
        The page number, at least 0.
    seed : int, optional
        The base seed, at least 0.

    Returns
    -------
    numpy.ndarray
        Shape ``(height, width)`` with both sides in :data:`PAGE_SIDE_RANGE`, uint8; see
        :func:`render_text_page`.

    Raises
    ------
    ValueError
        If ``split`` is unknown or ``index`` or ``seed`` is negative.
    """
    if split not in TEXT_SPLIT_IDS:
        raise ValueError(f"split must be one of {', '.join(TEXT_SPLIT_IDS)}; got {split!r}.")
    _check_count("index", index, minimum=0)
    _check_count("seed", seed, minimum=0)
    rng = np.random.default_rng([int(seed), TEXT_SPLIT_IDS[split], int(index)])
    height = _draw_int(rng, PAGE_SIDE_RANGE)
    width = _draw_int(rng, PAGE_SIDE_RANGE)
    return render_text_page(rng, height=height, width=width)


def text_page_name(index):
    """Return the file name of page ``index`` of the text dataset, e.g. ``page_0007.png``."""
    return f"page_{index:04d}.png"


# --------------------------------------------------------------------------------------------
# Building: write our own files, atomically, and leave everything else alone.
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class BuildResult:
    """What one build call did.

    Attributes
    ----------
    root : str
        The dataset folder (holding ``train/`` and ``test/``).
    written : tuple of str
        Full paths of the files written by this call.
    present : tuple of str
        Full paths of the files that already existed and were left untouched.
    """

    root: str
    written: tuple
    present: tuple


def _check_count(label, value, *, minimum):
    """Raise unless ``value`` is an integer (not a bool) of at least ``minimum``."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"{label} must be an integer, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{label} must be at least {minimum}, got {value}.")


def _write_png_atomically(path, image):
    """Write ``image`` to ``path`` as PNG so that ``path`` is never seen half-written.

    The temporary file starts with '.', which the dataset listing skips (see
    :func:`files.atomic_path`).
    """
    with files.atomic_path(path) as temporary:
        iio.imwrite(temporary, image, extension=".png", compress_level=PNG_COMPRESS_LEVEL)


def write_dataset(root, jobs, force):
    """Write each ``(split, file name, make image)`` job under ``root`` unless already there.

    Parameters
    ----------
    root : str or os.PathLike
        The dataset folder.
    jobs : iterable of tuple
        ``(split, file name, make_image)``: ``make_image()`` returns a uint8 array, grey or RGB,
        called only for a file that is to be written.
    force : bool
        Rewrite files that exist.

    Returns
    -------
    BuildResult
    """
    root = os.path.abspath(os.fspath(root))
    written, present = [], []
    for split, name, make_image in jobs:
        folder = os.path.join(root, split)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, name)
        if os.path.exists(path) and not force:
            present.append(path)
            continue
        _write_png_atomically(path, make_image())
        written.append(path)
    return BuildResult(root=root, written=tuple(written), present=tuple(present))


def load_source_image(name):
    """Load one of the scikit-image photographs of the image dataset, never downloading.

    Parameters
    ----------
    name : str
        A key of :data:`IMAGE_SOURCES`, e.g. ``"astronaut"``.

    Returns
    -------
    numpy.ndarray
        uint8, shape ``(height, width)`` for grey images or ``(height, width, 3)`` for colour
        ones, exactly as the ``skimage.data`` loader returns it.

    Raises
    ------
    ValueError
        If ``name`` is not a source image.
    FileNotFoundError
        If the installed scikit-image does not ship the file inside its wheel (it would then
        try to download it, which this build never does).
    """
    import skimage.data

    if name not in IMAGE_SOURCES:
        raise ValueError(f"name must be one of {', '.join(IMAGE_SOURCES)}; got {name!r}.")
    loader, item, file_name = IMAGE_SOURCES[name]
    shipped = os.path.join(os.path.dirname(skimage.data.__file__), file_name)
    if not os.path.isfile(shipped):
        raise FileNotFoundError(
            f"scikit-image no longer ships {file_name} (looked for {shipped}); the build does not "
            f"download data. Install the scikit-image version pinned by the project, or remove "
            f"{name!r} from IMAGE_SOURCES."
        )
    image = getattr(skimage.data, loader)()
    return image if item is None else image[item]


def build_image_dataset(root=None, *, force=False):
    """Copy the scikit-image photographs into ``root/train`` and ``root/test`` as PNG files.

    Parameters
    ----------
    root : str or os.PathLike, optional
        The dataset folder; ``image_dataset`` in ``sol5_utils.data_root()`` when None.
    force : bool, optional
        Rewrite the files even if they exist. Other files in the folders are never touched.

    Returns
    -------
    BuildResult
        The files written and those already present: ``<name>.png`` for every name of
        :data:`IMAGE_SPLITS`, at the original resolution (uint8, grey or RGB).
    """
    root = os.path.join(data_root(), "image_dataset") if root is None else root
    jobs = [
        (split, f"{name}.png", functools.partial(load_source_image, name))
        for split, names in IMAGE_SPLITS.items()
        for name in names
    ]
    return write_dataset(root, jobs, force)


def build_text_dataset(root=None, *, num_train=DEFAULT_NUM_TRAIN, num_test=DEFAULT_NUM_TEST, force=False):
    """Render the pages of printed text into ``root/train`` and ``root/test`` as PNG files.

    Parameters
    ----------
    root : str or os.PathLike, optional
        The dataset folder; ``text_dataset`` in ``sol5_utils.data_root()`` when None.
    num_train, num_test : int, optional
        The number of pages per split, each at least 1. Pages are numbered from 0, so a
        larger number later adds pages and keeps the existing ones; pages beyond a smaller
        number are left in place, not deleted.
    force : bool, optional
        Rewrite the pages even if they exist. Other files in the folders are never touched.

    Returns
    -------
    BuildResult
        The files written and those already present: ``page_0000.png`` and on, each a
        greyscale uint8 page from :func:`text_page`.

    Raises
    ------
    ValueError
        If ``num_train`` or ``num_test`` is smaller than 1.
    """
    _check_count("num_train", num_train, minimum=1)
    _check_count("num_test", num_test, minimum=1)
    root = os.path.join(data_root(), "text_dataset") if root is None else root
    jobs = [
        (split, text_page_name(index), functools.partial(text_page, split, index))
        for split, count in (("train", num_train), ("test", num_test))
        for index in range(count)
    ]
    return write_dataset(root, jobs, force)


def build_all(*, force=False):
    """Build both datasets in their default folders at the project root.

    Parameters
    ----------
    force : bool, optional
        Rewrite every file this module owns, even those already present.

    Returns
    -------
    dict of str to BuildResult
        ``{"image_dataset": ..., "text_dataset": ...}``.
    """
    return {
        "image_dataset": build_image_dataset(force=force),
        "text_dataset": build_text_dataset(force=force),
    }


# --------------------------------------------------------------------------------------------
# Command line.
# --------------------------------------------------------------------------------------------


def main(argv=None):
    """Build both datasets and print one line per dataset.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments without the program name; ``sys.argv[1:]`` when None.
    """
    parser = argparse.ArgumentParser(
        description="Build image_dataset/ and text_dataset/ (train and test) offline. Files "
        "already present are kept, and files of your own in those folders are never touched."
    )
    parser.add_argument("--force", action="store_true", help="rewrite every file this script owns")
    args = parser.parse_args(argv)
    for name, result in build_all(force=args.force).items():
        print(
            f"{name}: {len(result.written)} files written, {len(result.present)} already "
            f"present in {result.root}"
        )


if __name__ == "__main__":
    main()
