"""The ``sol5lab`` command end to end.

What only a user's own process shows runs in a fresh one: a folder of every kind of file
restored, a restore that must not load JAX, a mistake's exit status, the installed script. A
fresh process that restores starts Keras (about 9 s of CPU), so the rest call ``cli.main`` here.
"""

import importlib.metadata
import os
import subprocess
import sys

import imageio.v3 as iio
import numpy as np
import pytest
import scipy.ndimage
from PIL import Image

import sol5
import sol5_utils
from sol5lab import __main__ as sol5lab_main
from sol5lab import cli, corruptions, image_files, shipped, training
from sol5lab.evaluation import image_quality

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def sol5lab(*arguments):
    """Run ``python -m sol5lab`` from the project's folder; return the finished process."""
    return subprocess.run(
        [sys.executable, "-m", "sol5lab", *map(str, arguments)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def rocket_window(folder, top=0, left=0):
    """Write the 96x128 window at (``top``, ``left``) of the held-out rocket.png's first channel
    (grey, as a model sees each channel) to ``folder/clean.png``; return its path."""
    clean = folder / "clean.png"
    rocket = iio.imread(sol5_utils.relpath(os.path.join("image_dataset", "test", "rocket.png")))
    iio.imwrite(clean, rocket[top : top + 96, left : left + 128, 0])
    return clean


def restored_rocket_window(folder, task, *corruption):
    """Corrupt :func:`rocket_window` with ``corrupt --task TASK *corruption`` and restore it with
    the model shipped for ``task`` (``restore`` without ``--model``); return the clean, corrupted
    and restored windows, float64 in [0, 1]."""
    paths = (rocket_window(folder), folder / "corrupted.png", folder / "restored.png")
    assert cli.main(["corrupt", str(paths[0]), "-o", str(paths[1]), "--task", task, *corruption]) == 0
    assert cli.main(["restore", str(paths[1]), "-o", str(paths[2]), "--task", task, "--quiet"]) == 0
    return tuple(iio.imread(path).astype(np.float64) / 255 for path in paths)


def smooth(shape, seed=0):
    """A smooth picture in [0, 1] of ``shape``."""
    values = scipy.ndimage.gaussian_filter(np.random.default_rng(seed).random(shape), (3, 3, 0)[: len(shape)])
    return (values - values.min()) / (values.max() - values.min())


@pytest.fixture(scope="module")
def model_file(tmp_path_factory, mean_filter_model):
    path = tmp_path_factory.mktemp("model") / "mean.keras"
    mean_filter_model.save(path)
    return path


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    """A colour picture on disk, and its values in [0, 1]."""
    clean = smooth((72, 96, 3))
    path = tmp_path_factory.mktemp("photo") / "photo.png"
    iio.imwrite(path, image_files.from_unit(clean, np.uint8))
    return path, iio.imread(path) / 255


def test_restores_a_folder_of_every_kind_of_file(tmp_path, model_file, mean_filtered):
    inputs, outputs = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    grey, colour = smooth((60, 80)), smooth((60, 80, 3), seed=1)
    iio.imwrite(inputs / "grey.png", image_files.from_unit(grey, np.uint8))
    iio.imwrite(inputs / "colour.jpg", image_files.from_unit(colour, np.uint8), quality=95)
    alpha = np.random.default_rng(2).integers(0, 256, (60, 80), dtype=np.uint8)
    iio.imwrite(inputs / "alpha.png", np.dstack([image_files.from_unit(colour, np.uint8), alpha]))
    iio.imwrite(inputs / "grey16.png", image_files.from_unit(grey, np.uint16))
    iio.imwrite(inputs / "colour16.tif", image_files.from_unit(colour, np.uint16))
    colour16 = image_files.ImageFile(image_files.from_unit(colour, np.uint16), None, np.uint16)
    image_files.write_image_file(str(inputs / "colour16.png"), colour16)  # Pillow cannot write one
    exif = Image.Exif()
    exif[image_files.ORIENTATION_TAG] = 6  # stored lying down: turn a quarter clockwise to show
    Image.fromarray(image_files.from_unit(grey, np.uint8)).save(inputs / "turned.png", exif=exif)

    run = sol5lab(
        "restore", inputs, "-o", outputs, "--task", "denoise", "--model", model_file, "--tile-pixels", 4096
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr and "tile 2/2" in run.stderr and "wrote 7 files" in run.stderr
    assert sorted(os.listdir(outputs)) == sorted(os.listdir(inputs))

    def restored(name):
        return iio.imread(outputs / name)

    expected = image_files.from_unit(mean_filtered(iio.imread(inputs / "grey.png") / 255), np.uint8)
    assert restored("grey.png").dtype == np.uint8
    assert np.abs(restored("grey.png").astype(int) - expected).max() <= 1
    assert restored("colour.jpg").shape == (60, 80, 3)
    with_alpha = restored("alpha.png")
    assert with_alpha.shape == (60, 80, 4)
    np.testing.assert_array_equal(with_alpha[..., 3], alpha)
    for channel in range(3):  # per channel, the default colour method
        expected = image_files.from_unit(
            mean_filtered(iio.imread(inputs / "alpha.png")[..., channel] / 255), np.uint8
        )
        assert np.abs(with_alpha[..., channel].astype(int) - expected).max() <= 1
    for name, shape in (
        ("grey16.png", (60, 80)),
        ("colour16.tif", (60, 80, 3)),
        ("colour16.png", (60, 80, 3)),
    ):
        deep = image_files.read_image_file(str(outputs / name)).planes
        assert deep.dtype == np.uint16 and deep.shape == shape
        assert np.any(deep % 257 != 0)  # not 8-bit levels in a 16-bit file
        source = image_files.read_image_file(str(inputs / name)).planes / 65535
        expected = image_files.from_unit(
            mean_filtered(source if source.ndim == 2 else source[..., 0]), np.uint16
        )
        assert np.abs((deep if deep.ndim == 2 else deep[..., 0]).astype(int) - expected).max() <= 2
    turned = restored("turned.png")
    assert turned.shape == (80, 60)  # upright, and written upright
    expected = image_files.from_unit(
        mean_filtered(np.rot90(iio.imread(inputs / "turned.png"), -1) / 255), np.uint8
    )
    assert np.abs(turned.astype(int) - expected).max() <= 1
    assert Image.open(outputs / "turned.png").getexif().get(image_files.ORIENTATION_TAG) in (None, 1)


#: The command in a fresh process, saying at its end whether JAX was loaded.
COMMAND_THEN_MODULES = """
import sys
from sol5lab import cli
status = cli.main(sys.argv[1:])
print(status, "jax" in sys.modules, "tensorflow" in sys.modules)
"""


UNDER_TENSORFLOW = os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow"


def test_corrupt_then_restore_gains_psnr_and_draws_the_comparison(tmp_path, photo, model_file):
    source, clean = photo
    noisy = tmp_path / "noisy.png"
    # in this process: `corrupt` starts Keras too (sol5 holds the corruptions), 9 s of CPU alone
    arguments = ["corrupt", source, "-o", noisy, "--task", "denoise", "--sigma", 50, "--seed", 3]
    assert cli.main(list(map(str, arguments))) == 0
    corrupted = iio.imread(noisy) / 255
    assert corrupted.shape == clean.shape
    assert 40 / 255 < np.std(corrupted - clean) < 50 / 255  # sigma 50, a little less where clipped

    # the restore's process also says whether it loaded JAX: under TensorFlow it must not
    restored_path, figure = tmp_path / "restored.png", tmp_path / "figures" / "compare.png"
    arguments = ["restore", noisy, "-o", restored_path, "--task", "denoise", "--model", model_file]
    run = subprocess.run(
        [sys.executable, "-c", COMMAND_THEN_MODULES, *map(str, arguments), "--compare", str(figure)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    status, jax_loaded, _ = run.stdout.split()[-3:]
    assert status == "0" and "Traceback" not in run.stderr, run.stderr[-2000:]
    if UNDER_TENSORFLOW:
        assert jax_loaded == "False"
    restored = iio.imread(restored_path) / 255
    assert image_quality(clean, restored)["psnr"] > image_quality(clean, corrupted)["psnr"] + 5
    drawn = iio.imread(figure)
    assert drawn.shape[1] > drawn.shape[0] > 200  # two pictures side by side


@pytest.mark.portable
def test_the_finder_refuses_jax_to_its_optional_importers_only():
    finder = cli.OptionalJaxImportsRefused()
    assert finder.find_spec("jax") is None  # imported from this module: left to the other finders
    for name in cli.OPTIONAL_JAX_IMPORTERS:
        scope = {"__name__": name, "finder": finder}
        with pytest.raises(ImportError, match="optional"):
            exec("finder.find_spec('jax')", scope)
        exec("spec = finder.find_spec('numpy')", scope)  # and only JAX
        assert scope["spec"] is None


@pytest.mark.parametrize(
    "arguments, said",
    [
        (
            ["restore", "{tmp}/none.png", "-o", "{tmp}/out.png", "--task", "denoise"],
            "INPUT {tmp}/none.png: no such",
        ),
        (
            ["restore", "{tmp}/broken.png", "-o", "{tmp}/out.png", "--task", "denoise", "--model", "{model}"],
            "INPUT {tmp}/broken.png: not an image imageio can read",
        ),
        (
            ["restore", "{photo}", "-o", "{tmp}/out.png", "--task", "unblur"],
            "argument --task: invalid choice: 'unblur'",
        ),
        (
            ["restore", "{photo}", "-o", "{tmp}/out.png", "--task", "denoise", "--model", "{tmp}/none.keras"],
            "--model {tmp}/none.keras: no such file",
        ),
        (
            ["restore", "{photo}", "-o", "{tmp}/out.png", "--task", "super-resolution", "--scale", "5"],
            "argument --scale: invalid choice: 5 (choose from 2, 3, 4)",
        ),
        (
            ["restore", "{photo}", "-o", "{tmp}/out.png", "--task", "super-resolution"],
            "--scale: super-resolution needs",
        ),
        (
            ["restore", "{photo}", "-o", "{photo}/folder/out.png", "--task", "denoise", "--model", "{model}"],
            "-o {photo}/folder: cannot write there",
        ),
        (
            ["restore", "{photo}", "-o", "{photo}", "--task", "denoise", "--model", "{model}"],
            "that is an input file; pass --force",
        ),
        (
            ["corrupt", "{photo}", "-o", "{tmp}/out.png", "--task", "jpeg", "--sigma", "25"],
            "--sigma: not an option of --task jpeg",
        ),
        (
            ["corrupt", "{photo}", "-o", "{tmp}/out.png", "--task", "jpeg", "--quality", "0"],
            "--quality 0: must be",
        ),
    ],
)
def test_a_users_mistake_is_one_line_naming_what_to_fix(tmp_path, photo, model_file, arguments, said, capsys):
    """In this process (a fresh one each took about 0.8 s of CPU): an exception the command let
    through would fail the test here as it would print a traceback there; the test below runs
    one mistake as a user's process."""
    (tmp_path / "broken.png").write_text("not a picture")
    names = {"tmp": tmp_path, "photo": photo[0], "model": model_file}
    before = photo[0].read_bytes()
    try:
        status = cli.main([argument.format(**names) for argument in arguments])
    except SystemExit as exit:  # argparse's own errors
        status = exit.code
    assert status == 2
    assert said.format(**names) in capsys.readouterr().err
    assert not os.path.exists(tmp_path / "out.png")
    assert photo[0].read_bytes() == before  # the input is never touched


def test_a_users_mistake_in_a_process_of_its_own_ends_it_with_status_2_and_no_traceback(tmp_path, photo):
    model = tmp_path / "none.keras"
    run = sol5lab("restore", photo[0], "-o", tmp_path / "out.png", "--task", "denoise", "--model", model)
    assert run.returncode == 2
    [line] = run.stderr.strip().splitlines()
    assert line.startswith(f"sol5lab restore: error: --model {model}: no such file")
    assert not os.path.exists(tmp_path / "out.png")


def test_a_bfloat16_model_file_computes_in_float32_where_bfloat16_is_emulated(tmp_path, photo, monkeypatch):
    with training.keras_policy("mixed_bfloat16"):
        mixed = sol5.build_nn_model(16, 16, 8, 1)
    single = sol5.build_nn_model(16, 16, 8, 1)
    single.set_weights(mixed.get_weights())
    files = {name: tmp_path / f"{name}.keras" for name in ("mixed", "single")}
    mixed.save(files["mixed"])
    single.save(files["single"])
    monkeypatch.setattr(training, "native_bfloat16", lambda devices, cpu_flags: True)
    assert training.stored_policy(cli.resolve_model("denoising", str(files["mixed"]))) == "mixed_bfloat16"
    monkeypatch.setattr(training, "native_bfloat16", lambda devices, cpu_flags: False)
    assert training.stored_policy(cli.resolve_model("denoising", str(files["mixed"]))) == "float32"
    outputs = {name: tmp_path / f"{name}.png" for name in files}
    for name, model in files.items():
        restore = ["restore", str(photo[0]), "-o", str(outputs[name]), "--task", "denoise", "--quiet"]
        assert cli.main([*restore, "--model", str(model)]) == 0
    # the same computation as the model built in float32, to the last bit of the written file
    np.testing.assert_array_equal(iio.imread(outputs["mixed"]), iio.imread(outputs["single"]))


def test_with_no_model_and_none_shipped_the_command_says_how_to_get_one(photo, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(shipped, "MODELS_DIR", str(tmp_path / "none shipped"))  # whatever ships by now
    # in this process: the check that nothing ships needs Keras, which the tests have started already
    assert cli.main(["restore", str(photo[0]), "-o", str(tmp_path / "out.png"), "--task", "jpeg"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "no model is shipped for jpeg_deblocking" in error and "--model" in error and "make tasks" in error


def test_with_no_model_the_shipped_deblurrer_restores_a_page(tmp_path, datasets):
    clean = tmp_path / "clean.png"
    page = sorted(sol5_utils.dataset_images("text_dataset", "test"))[0]
    iio.imwrite(clean, iio.imread(page)[:96, :128])
    blurred, restored = tmp_path / "blurred.png", tmp_path / "restored.png"
    corrupt = [
        "corrupt",
        str(clean),
        "-o",
        str(blurred),
        "--task",
        "deblur",
        "--kernel-size",
        "7",
        "--angle",
        "45",
    ]
    assert cli.main(corrupt) == 0
    assert cli.main(["restore", str(blurred), "-o", str(restored), "--task", "deblur", "--quiet"]) == 0
    original, before, after = (
        iio.imread(path).astype(np.float64) / 255 for path in (clean, blurred, restored)
    )
    assert after.shape == original.shape
    assert image_quality(original, after)["psnr"] > image_quality(original, before)["psnr"] + 5


def test_with_no_model_the_shipped_super_resolution_model_beats_cubic_upscaling(tmp_path, datasets):
    # the centre of the 427x640 image: the top-left window is sky, smooth enough that cubic
    # upscaling misses little there (the step-17,500 model gained 0.29 dB on it, step 19,000's 0.05)
    clean = rocket_window(tmp_path, 165, 256)
    small, enlarged = tmp_path / "small.png", tmp_path / "enlarged.png"
    scale = ["--task", "super-resolution", "--scale", "2"]
    assert cli.main(["corrupt", str(clean), "-o", str(small), *scale]) == 0
    assert cli.main(["restore", str(small), "-o", str(enlarged), *scale, "--quiet"]) == 0
    original, low, after = (iio.imread(path).astype(np.float64) / 255 for path in (clean, small, enlarged))
    assert low.shape == (48, 64) and after.shape == original.shape
    cubic = corruptions.upscale(low, original.shape)
    # measured: 28.18 dB against cubic's 27.83 on this window (step 26,000's model; step 19,000's:
    # 28.27, step 17,500's: 28.21; the whole held-out images: +1.1 dB)
    assert image_quality(original, after)["psnr"] > image_quality(original, cubic)["psnr"] + 0.1


def test_the_package_installs_the_sol5lab_command():
    [entry] = importlib.metadata.entry_points(group="console_scripts", name="sol5lab")
    assert entry.load() is sol5lab_main.main
    command = os.path.join(os.path.dirname(sys.executable), "sol5lab")
    run = subprocess.run([command, "restore", "--help"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "--task" in run.stdout and "--scale" in run.stdout


@pytest.mark.parametrize(
    ("task", "corruption", "gain_db"),
    [
        ("denoise", ("--sigma", "25"), 5),
        # measured: 36.68 dB against the decoded JPEG's 36.10 on this window (the first training's
        # step-27,000 model: 36.66, its step-4,500 model: 36.55; the whole held-out images: +1.15
        # to +1.23 dB)
        ("jpeg", ("--quality", "20"), 0.2),
        # measured: 35.90 dB against the corrupted window's 10.49 (a mix drawn from seed 0; the
        # second recipe's step-16,500 model: 35.20 dB; the first recipe's step-12,500 model:
        # 35.37 dB, its step-5,000 model: 34.20 dB)
        ("combined", ("--seed", "0"), 10),
    ],
)
def test_with_no_model_the_shipped_model_gains_over_its_input(tmp_path, datasets, task, corruption, gain_db):
    original, before, after = restored_rocket_window(tmp_path, task, *corruption)
    assert after.shape == original.shape
    assert image_quality(original, after)["psnr"] > image_quality(original, before)["psnr"] + gain_db
