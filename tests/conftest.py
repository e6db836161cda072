"""Shared fixtures: small images on disk, a fixed seed, and the project's datasets."""

import os
import sys

# Quiet TensorFlow's start-up logging; must be set before Keras is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# The Makefile's JAX pass runs as on a machine without TensorFlow (as the GPU machines the
# multi-device training is for, with JAX or PyTorch only): an import of it fails. Without this,
# keras.utils.set_random_seed imports TensorFlow to seed it, whatever the backend.
if os.environ.get("SOL5_TEST_WITHOUT_TENSORFLOW") == "1":
    sys.modules["tensorflow"] = None

import imageio.v3 as iio  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def seeded():
    """Every test starts from the same random state."""
    # imported here, not above: pytest-xdist's controller loads this file too, and runs no test
    # (a module-level import cost it 12 s of CPU, TensorFlow's start, in every run)
    import sol5

    sol5.set_seed(0)


def write_image_files(folder):
    """Write five smooth-plus-texture grayscale PNGs of different sizes, all at least 48x48, into
    ``folder`` (a ``pathlib.Path``); return their paths. The same pixels every time."""
    rng = np.random.default_rng(7)
    paths = []
    for index, (height, width) in enumerate([(64, 80), (72, 72), (96, 60), (80, 100), (50, 64)]):
        rows, cols = np.mgrid[0:height, 0:width]
        image = 0.5 + 0.3 * np.sin(rows / (3 + index)) * np.cos(cols / 5) + 0.1 * rng.random((height, width))
        path = folder / f"image_{index}.png"
        iio.imwrite(path, np.clip(np.round(image * 255), 0, 255).astype(np.uint8))
        paths.append(str(path))
    return paths


@pytest.fixture
def image_files(tmp_path):
    """The images of :func:`write_image_files`, in the test's own folder."""
    return write_image_files(tmp_path)


@pytest.fixture(scope="module")
def module_image_files(tmp_path_factory):
    """The same images, shared by a module's tests (for module-scoped fixtures that train on
    them); no test may change them."""
    return write_image_files(tmp_path_factory.mktemp("images"))


@pytest.fixture(scope="session")
def datasets():
    """The project's datasets, built if missing (idempotent, seconds)."""
    from sol5lab import datasets

    datasets.build_all()


@pytest.fixture
def committed_results():
    """Read the committed results and the documents that show them, from the working tree.

    ``committed_results(name)`` is ``results/<name>`` as JSON; ``.show(path)`` a file's text;
    ``.readme()`` the README; ``.doc(name)`` a page of ``docs/``. Quick runs write ``*_quick``
    files, so only a full run (which is committed) rewrites what these read.
    """
    import json

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    def show(path):
        with open(os.path.join(root, path), encoding="utf-8") as file:
            return file.read()

    def read(name):
        return json.loads(show(f"results/{name}"))

    read.readme = lambda: show("README.md")
    read.doc = lambda name: show(f"docs/{name}")
    read.show = show
    return read


@pytest.fixture(scope="session")
def mean_filter_model():
    """The assignment's network (8 channels, 1 block) with weights set to a 3x3 mean filter.

    The first convolution keeps ``x`` and ``-x`` (through the ReLU), the block adds nothing, and
    the last convolution takes their 3x3 mean minus the centre, which the skip adds back: the
    output is ``uniform_filter(x - 0.5, 3, mode="constant") + 0.5``, exactly, with no training:
    a denoiser whose every output pixel a test can compute (:func:`mean_filtered`).
    """
    import keras

    import sol5

    model = sol5.build_nn_model(16, 16, 8, 1)
    convolutions = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    for layer in convolutions:
        kernel, bias = layer.get_weights()
        layer.set_weights([np.zeros_like(kernel), np.zeros_like(bias)])
    first, last = convolutions[0], convolutions[-1]
    kernel, bias = first.get_weights()
    kernel[1, 1, 0, 0], kernel[1, 1, 0, 1] = 1, -1
    first.set_weights([kernel, bias])
    kernel, bias = last.get_weights()
    kernel[:, :, 0, 0], kernel[:, :, 1, 0] = 1 / 9, -1 / 9
    kernel[1, 1, 0, 0] -= 1
    kernel[1, 1, 1, 0] += 1
    last.set_weights([kernel, bias])
    return model


@pytest.fixture(scope="session")
def mean_filtered():
    """The function that says what :func:`mean_filter_model` makes of a 2-D image in [0, 1]."""
    import scipy.ndimage

    def filtered(plane):
        return np.clip(scipy.ndimage.uniform_filter(plane - 0.5, 3, mode="constant") + 0.5, 0, 1)

    return filtered


#: The test files that take longest (seconds on 2 cores, one worker each, AVX2 CPU: the sum of
#: their tests' setup and call, pytest --durations=0, 2026-12-02 at 07:13, the JAX pass
#: beside them), heaviest first. The Makefile runs ``--dist
#: loadfile --no-loadscope-reorder``: each worker takes the next file when it is nearly done, so
#: handing out the long files first leaves the short ones to even out the end (longest first).
#: Files not listed follow in their collection order.
LONGEST_FILES = (
    "tests/sol5lab/test_resumable.py",  # 96 s
    "tests/sol5lab/experiments/test_benchmark.py",  # 79 s
    "tests/sol5lab/experiments/test_interruptions.py",  # 40 s
    "tests/test_deep_prior.py",  # 36 s
    "tests/test_course_presubmission.py",  # 30 s
    "tests/sol5lab/test_cli.py",  # 28 s
    "tests/sol5lab/test_shipped.py",  # 27 s
    "tests/sol5lab/experiments/test_depth.py",  # 26 s
    "tests/test_train_model.py",  # 25 s
    "tests/sol5lab/experiments/test_tasks.py",  # 23 s
    "tests/sol5lab/experiments/test_deep_prior.py",  # 20 s
    "tests/sol5lab/experiments/test_architectures.py",  # 16 s
    "tests/sol5lab/networks/test_networks.py",  # 16 s
    "tests/sol5lab/experiments/test_strong.py",  # 12 s
    "tests/test_presubmission.py",  # 11 s
)


def pytest_collection_modifyitems(config, items):
    """Put the tests of :data:`LONGEST_FILES` first, in its order, each file's tests in theirs."""
    rank = {path: index for index, path in enumerate(LONGEST_FILES)}
    root = str(config.rootpath)
    missing = [path for path in LONGEST_FILES if not os.path.exists(os.path.join(root, path))]
    if missing:
        raise pytest.UsageError(f"tests/conftest.py LONGEST_FILES names files that are gone: {missing}")

    def file_rank(item):
        relative = os.path.relpath(str(item.path), root).replace(os.sep, "/")
        return rank.get(relative, len(rank))

    items.sort(key=file_rank)  # stable: the rest keep their order
