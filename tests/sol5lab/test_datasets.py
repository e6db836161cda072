"""Tests of build_datasets.py: contents, determinism, idempotence and safety of the build."""

import functools
import os

import imageio.v3 as iio
import numpy as np
import pytest
import skimage.data
from PIL import ImageFont

from sol5lab import datasets as bd

# The loaders are spelled out here, independently of build_datasets.IMAGE_SOURCES, so that a
# wrong entry in that table cannot go unnoticed.
EXPECTED_TRAIN = {
    "astronaut": skimage.data.astronaut,
    "brick": skimage.data.brick,
    "cell": skimage.data.cell,
    "chelsea": skimage.data.chelsea,
    "coins": skimage.data.coins,
    "gravel": skimage.data.gravel,
    "hubble_deep_field": skimage.data.hubble_deep_field,
    "ihc": skimage.data.immunohistochemistry,
    "moon": skimage.data.moon,
    "motorcycle_left": lambda: skimage.data.stereo_motorcycle()[0],
    "retina": skimage.data.retina,
}
EXPECTED_TEST = {
    "camera": skimage.data.camera,
    "coffee": skimage.data.coffee,
    "grass": skimage.data.grass,
    "rocket": skimage.data.rocket,
}

# Small images, so that the tests of the build mechanics stay fast.
SMALL_IMAGE_SPLITS = {"train": ("coins", "moon"), "test": ("camera",)}


def listing(root):
    """Return {relative path: bytes} of every file under ``root``."""
    files = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                files[os.path.relpath(path, root)] = handle.read()
    return files


def hidden_files(root):
    """Return the names starting with '.' anywhere under ``root`` (temporary files)."""
    return [name for _, _, names in os.walk(root) for name in names if name.startswith(".")]


def paper_margins(page):
    """Return (top, bottom, left, right): the number of rows/columns of pure paper per side."""
    ink = page != np.median(page)
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    return rows[0], page.shape[0] - 1 - rows[-1], cols[0], page.shape[1] - 1 - cols[-1]


@pytest.fixture(scope="module")
def image_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("build") / "image_dataset"
    result = bd.build_image_dataset(root)
    assert len(result.written) == len(EXPECTED_TRAIN) + len(EXPECTED_TEST)
    assert result.present == ()
    return root


@pytest.fixture
def small_images(monkeypatch):
    monkeypatch.setattr(bd, "IMAGE_SPLITS", SMALL_IMAGE_SPLITS)


# --- image dataset ---------------------------------------------------------------------------


def test_image_split_table_is_disjoint_and_complete():
    assert set(bd.IMAGE_SPLITS["train"]) == set(EXPECTED_TRAIN)
    assert set(bd.IMAGE_SPLITS["test"]) == set(EXPECTED_TEST)
    assert not set(bd.IMAGE_SPLITS["train"]) & set(bd.IMAGE_SPLITS["test"])
    assert set(bd.IMAGE_SOURCES) == set(EXPECTED_TRAIN) | set(EXPECTED_TEST)


@pytest.mark.parametrize("name", sorted(bd.IMAGE_SOURCES))
def test_source_image_ships_inside_the_scikit_image_wheel(name):
    # A file missing from the wheel would make scikit-image try to download it.
    file_name = bd.IMAGE_SOURCES[name][2]
    assert os.path.isfile(os.path.join(os.path.dirname(skimage.data.__file__), file_name))


def test_image_dataset_has_exactly_the_expected_files(image_root):
    for split, expected in (("train", EXPECTED_TRAIN), ("test", EXPECTED_TEST)):
        assert sorted(os.listdir(image_root / split)) == sorted(f"{n}.png" for n in expected)


@pytest.mark.parametrize(
    ("split", "name"),
    [("train", name) for name in EXPECTED_TRAIN] + [("test", name) for name in EXPECTED_TEST],
)
def test_image_dataset_copies_the_originals_pixel_exactly(image_root, split, name):
    original = {**EXPECTED_TRAIN, **EXPECTED_TEST}[name]()
    saved = iio.imread(image_root / split / f"{name}.png")
    assert saved.dtype == np.uint8
    assert saved.shape == original.shape
    np.testing.assert_array_equal(saved, original)


def test_load_source_image_rejects_unknown_names():
    with pytest.raises(ValueError, match="name must be one of"):
        bd.load_source_image("text")


# --- text pages ------------------------------------------------------------------------------


@pytest.mark.parametrize("font_file", bd.FONT_FILES)
def test_every_font_draws_every_character(font_file):
    path = os.path.join(bd._fonts_dir(), font_file)
    font = ImageFont.truetype(path, 20)
    # A character the font lacks is drawn as its "missing glyph" box.
    missing = bytes(font.getmask("\ue000"))
    for character in bd.TEXT_CHARACTERS.replace(" ", ""):
        mask = bytes(font.getmask(character))
        assert any(mask), f"{font_file} draws nothing for {character!r}"
        assert mask != missing, f"{font_file} lacks {character!r}"


def test_words_use_only_the_allowed_characters():
    assert len(bd.WORDS) >= 300
    assert set("".join(bd.WORDS)) <= set(bd.TEXT_CHARACTERS)


@pytest.mark.parametrize(("split", "index"), [("train", i) for i in range(12)] + [("test", 0)])
def test_text_page_is_dark_text_on_light_paper_inside_margins(split, index):
    page = bd.text_page(split, index)
    assert page.dtype == np.uint8
    assert page.ndim == 2
    low, high = bd.PAGE_SIDE_RANGE
    assert low <= page.shape[0] <= high and low <= page.shape[1] <= high
    paper = int(np.median(page))
    assert bd.PAPER_RANGE[0] <= paper <= bd.PAPER_RANGE[1]
    # Paper is the lightest grey: ink only darkens it.
    assert page.max() == paper
    # Fully covered pixels reach the ink's grey level.
    assert page.min() <= bd.INK_RANGE[1]
    dark = np.mean(page < 128)
    assert 0.01 < dark < 0.4, dark
    assert min(paper_margins(page)) >= 6


def test_text_pages_differ_between_pages_and_splits():
    pages = [bd.text_page("train", i) for i in range(6)]
    pages += [bd.text_page("test", i) for i in range(3)]
    for i, first in enumerate(pages):
        for second in pages[i + 1 :]:
            assert first.shape != second.shape or not np.array_equal(first, second)


def test_render_text_page_is_a_pure_function_of_the_generator_state():
    first = bd.render_text_page(np.random.default_rng(7), height=100, width=120)
    second = bd.render_text_page(np.random.default_rng(7), height=100, width=120)
    assert first.shape == (100, 120)
    np.testing.assert_array_equal(first, second)
    other = bd.render_text_page(np.random.default_rng(8), height=100, width=120)
    assert not np.array_equal(first, other)


def test_render_text_page_differs_between_fonts():
    render = functools.partial(bd.render_text_page, height=128, width=160, font_size=14)
    pages = [render(np.random.default_rng(0), font_file=font) for font in bd.FONT_FILES]
    for i, first in enumerate(pages):
        assert np.mean(first < 128) > 0.01, bd.FONT_FILES[i]
        for second in pages[i + 1 :]:
            assert not np.array_equal(first, second)


@pytest.mark.parametrize("font_size", [6, 10, 24])
def test_render_text_page_fills_even_the_smallest_page(font_size):
    side = bd.MIN_PAGE_SIDE
    page = bd.render_text_page(np.random.default_rng(1), height=side, width=side, font_size=font_size)
    assert page.shape == (side, side)
    assert np.mean(page < 128) > 0.01


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"height": bd.MIN_PAGE_SIDE - 1}, ValueError, "height must be at least"),
        ({"width": 10}, ValueError, "width must be at least"),
        ({"height": 100.0}, TypeError, "height must be an integer"),
        ({"font_file": "Arial.ttf"}, ValueError, "font_file must be one of"),
        ({"font_size": 5}, ValueError, "font_size must be at least"),
        ({"rng": 42}, TypeError, "numpy.random.Generator"),
    ],
)
def test_render_text_page_rejects_bad_arguments(kwargs, error, match):
    rng = kwargs.pop("rng", np.random.default_rng(0))
    with pytest.raises(error, match=match):
        bd.render_text_page(rng, **kwargs)


def test_text_page_rejects_bad_arguments():
    with pytest.raises(ValueError, match="split must be one of"):
        bd.text_page("validation", 0)
    with pytest.raises(ValueError, match="index must be at least 0"):
        bd.text_page("train", -1)


# --- building --------------------------------------------------------------------------------


def test_text_dataset_has_exactly_the_expected_files(tmp_path):
    result = bd.build_text_dataset(tmp_path, num_train=5, num_test=2)
    assert sorted(os.listdir(tmp_path / "train")) == [f"page_000{i}.png" for i in range(5)]
    assert sorted(os.listdir(tmp_path / "test")) == ["page_0000.png", "page_0001.png"]
    assert len(result.written) == 7
    assert result.root == str(tmp_path)
    # The saved file is the page, unchanged.
    saved = iio.imread(tmp_path / "test" / "page_0001.png")
    np.testing.assert_array_equal(saved, bd.text_page("test", 1))


@pytest.mark.usefixtures("small_images")
def test_builds_write_identical_bytes(tmp_path):
    for copy in ("a", "b"):
        bd.build_image_dataset(tmp_path / copy / "image_dataset")
        bd.build_text_dataset(tmp_path / copy / "text_dataset", num_train=3, num_test=2)
    first, second = listing(tmp_path / "a"), listing(tmp_path / "b")
    assert len(first) == 3 + 5
    assert first == second


@pytest.mark.usefixtures("small_images")
def test_second_build_writes_nothing_and_keeps_mtimes(tmp_path):
    build_images = functools.partial(bd.build_image_dataset, tmp_path / "image_dataset")
    build_text = functools.partial(bd.build_text_dataset, tmp_path / "text_dataset", num_train=3, num_test=1)
    build_images()
    build_text()
    paths = [os.path.join(folder, name) for folder, _, names in os.walk(tmp_path) for name in names]
    # Old times make any rewrite visible even on a coarse-grained file system clock.
    for path in paths:
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    images, text = build_images(), build_text()
    assert images.written == () and text.written == ()
    assert sorted(images.present + text.present) == sorted(paths)
    assert all(os.stat(path).st_mtime_ns == 1_000_000_000 for path in paths)


@pytest.mark.usefixtures("small_images")
def test_foreign_files_survive_even_a_forced_rebuild(tmp_path):
    foreign = {
        tmp_path / "image_dataset" / "train" / "my_photo.jpg": b"not ours",
        tmp_path / "text_dataset" / "train" / "scan.png": b"not ours either",
    }
    for path, content in foreign.items():
        path.parent.mkdir(parents=True)
        path.write_bytes(content)
    for force in (False, True):
        bd.build_image_dataset(tmp_path / "image_dataset", force=force)
        bd.build_text_dataset(tmp_path / "text_dataset", num_train=2, num_test=1, force=force)
        for path, content in foreign.items():
            assert path.read_bytes() == content


@pytest.mark.usefixtures("small_images")
def test_force_rewrites_our_files(tmp_path):
    bd.build_image_dataset(tmp_path)
    page_root = tmp_path / "text"
    bd.build_text_dataset(page_root, num_train=2, num_test=1)
    good = listing(tmp_path)
    spoiled = [tmp_path / "train" / "moon.png", page_root / "train" / "page_0001.png"]
    for path in spoiled:
        path.write_bytes(b"spoiled")
    # Without force an existing file is kept, whatever it holds.
    bd.build_image_dataset(tmp_path)
    bd.build_text_dataset(page_root, num_train=2, num_test=1)
    assert all(path.read_bytes() == b"spoiled" for path in spoiled)
    images = bd.build_image_dataset(tmp_path, force=True)
    text = bd.build_text_dataset(page_root, num_train=2, num_test=1, force=True)
    assert len(images.written) == 3 and images.present == ()
    assert len(text.written) == 3 and text.present == ()
    assert listing(tmp_path) == good


@pytest.mark.usefixtures("small_images")
def test_no_temporary_files_are_left_behind(tmp_path):
    bd.build_image_dataset(tmp_path / "image_dataset")
    bd.build_text_dataset(tmp_path / "text_dataset", num_train=2, num_test=1, force=True)
    assert hidden_files(tmp_path) == []


def test_files_are_written_under_a_hidden_name_then_renamed(tmp_path, monkeypatch):
    written_to = []
    real_imwrite = bd.iio.imwrite

    def spying_imwrite(path, image, **kwargs):
        written_to.append(str(path))
        return real_imwrite(path, image, **kwargs)

    monkeypatch.setattr(bd.iio, "imwrite", spying_imwrite)
    result = bd.build_text_dataset(tmp_path, num_train=2, num_test=1)
    assert len(written_to) == len(result.written) == 3
    for temporary, final in zip(written_to, result.written, strict=True):
        # Same folder (so the rename is atomic), hidden (so no listing picks up a half file).
        assert os.path.dirname(temporary) == os.path.dirname(final)
        assert os.path.basename(temporary).startswith(".")
        assert temporary.endswith(".tmp.png")
        assert not os.path.exists(temporary)
        assert os.path.isfile(final)


def test_a_failed_write_leaves_neither_a_half_file_nor_a_temporary_file(tmp_path, monkeypatch):
    def failing_imwrite(path, image, **kwargs):
        with open(path, "wb") as handle:
            handle.write(b"\x89PNG half")
        raise OSError("disk full")

    monkeypatch.setattr(bd.iio, "imwrite", failing_imwrite)
    with pytest.raises(OSError, match="disk full"):
        bd.build_text_dataset(tmp_path, num_train=1, num_test=1)
    assert not (tmp_path / "train" / "page_0000.png").exists()
    assert hidden_files(tmp_path) == []


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"num_train": 0}, ValueError, "num_train must be at least 1"),
        ({"num_test": -3}, ValueError, "num_test must be at least 1"),
        ({"num_train": 2.5}, TypeError, "num_train must be an integer"),
        ({"num_test": True}, TypeError, "num_test must be an integer"),
    ],
)
def test_build_text_dataset_rejects_bad_counts(tmp_path, kwargs, error, match):
    with pytest.raises(error, match=match):
        bd.build_text_dataset(tmp_path, **kwargs)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("small_images")
def test_main_reports_what_it_wrote(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOL5_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(
        bd, "build_text_dataset", functools.partial(bd.build_text_dataset, num_train=2, num_test=1)
    )
    bd.main([])
    assert capsys.readouterr().out.splitlines() == [
        f"image_dataset: 3 files written, 0 already present in {tmp_path / 'image_dataset'}",
        f"text_dataset: 3 files written, 0 already present in {tmp_path / 'text_dataset'}",
    ]
    bd.main([])
    assert "0 files written, 3 already present" in capsys.readouterr().out
    bd.main(["--force"])
    assert capsys.readouterr().out.count("3 files written, 0 already present") == 2
    with pytest.raises(SystemExit):
        bd.main(["--bogus"])
