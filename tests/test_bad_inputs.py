# ruff: noqa: E501  (one row per line reads as a table)
"""A user's mistakes, one row each: the exception the README promises, naming what was wrong.

Every row calls one public function of ``sol5`` or ``sol5lab`` with one bad argument or file and
asserts the exception's type and that its message names the offending argument or file.
"""

import struct
import zipfile

import imageio.v3 as iio
import numpy as np
import pytest

import sol5
from sol5lab import classical, corruptions, evaluation, files, inference, protocols, store, tasks


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    """A folder of damaged files and small objects to pass where they do not belong."""
    folder = tmp_path_factory.mktemp("bad")
    good_png = folder / "good.png"
    iio.imwrite(good_png, np.full((32, 32), 128, dtype=np.uint8))
    data = good_png.read_bytes()
    (folder / "text.png").write_text("not an image at all")
    (folder / "empty.png").write_bytes(b"")
    (folder / "truncated.png").write_bytes(data[: len(data) // 2])
    iio.imwrite(folder / "hdr.tiff", np.linspace(-1, 3, 64, dtype=np.float32).reshape(8, 8))
    iio.imwrite(folder / "stack.tiff", np.zeros((3, 8, 8, 5), dtype=np.uint8))
    (folder / "cut.json").write_text('{"config": {"task": "deno')
    (folder / "latin1.json").write_bytes('{"name": "caf\xe9"}'.encode("latin-1"))

    model = sol5.build_nn_model(8, 8, 4, 1)
    store.save_trained(model, str(folder / "model.keras"), {"task": "deblurring"})
    archive = (folder / "model.keras").read_bytes()
    (folder / "cut.keras").write_bytes(archive[: len(archive) // 2])
    flipped = bytearray(archive)
    with zipfile.ZipFile(folder / "model.keras") as zipped:
        info = zipped.getinfo("model.weights.h5")
    # The stored (uncompressed) weights start after the local header: flip bytes well inside.
    name_length, extra_length = struct.unpack(
        "<HH", archive[info.header_offset + 26 : info.header_offset + 30]
    )
    start = info.header_offset + 30 + name_length + extra_length + info.file_size // 2
    flipped[start : start + 8] = bytes(255 - byte for byte in flipped[start : start + 8])
    (folder / "flipped.keras").write_bytes(bytes(flipped))
    model.save(folder / "plain.keras")  # a Keras model without the store's record

    class Namespace:
        pass

    objects = Namespace()
    objects.folder = folder
    objects.model = model
    objects.rgb_model = rgb_model()
    objects.nan_model = sol5.build_nn_model(8, 8, 4, 1)
    objects.nan_model.set_weights([np.full_like(w, np.nan) for w in objects.nan_model.get_weights()])
    objects.images = [str(good_png), str(good_png)]
    return objects


def rgb_model():
    import keras

    inputs = keras.Input((8, 8, 3))
    return keras.Model(inputs, keras.layers.Conv2D(3, 3, padding="same")(inputs))


def identity(image):
    return image


def nan_corruption(image):
    return image * np.nan


def too_bright(image):
    return image * 5


def cropping(image):
    return image[1:, 1:]


IMAGE = np.full((16, 16), 0.5)

# (id, call taking the fixture, exception type, a regex the message must match)
ROWS = [
    # read_image
    ("read_image missing file", lambda b: sol5.read_image(str(b.folder / "none.png"), 1), FileNotFoundError, "none.png"),
    ("read_image text named .png", lambda b: sol5.read_image(str(b.folder / "text.png"), 1), ValueError, "text.png"),
    ("read_image 0-byte png", lambda b: sol5.read_image(str(b.folder / "empty.png"), 1), ValueError, "empty.png"),
    ("read_image truncated png", lambda b: sol5.read_image(str(b.folder / "truncated.png"), 1), ValueError, "truncated.png"),
    ("read_image float tiff out of range", lambda b: sol5.read_image(str(b.folder / "hdr.tiff"), 1), ValueError, r"hdr.tiff.*\[0, 1\]"),
    ("read_image a stack", lambda b: sol5.read_image(str(b.folder / "stack.tiff"), 1), ValueError, "stack.tiff"),
    ("read_image representation 3", lambda b: sol5.read_image(b.images[0], 3), ValueError, "representation"),
    ("read_image filename not a path", lambda b: sol5.read_image(42, 1), TypeError, "filename"),
    # load_dataset
    ("load_dataset one string", lambda b: sol5.load_dataset(b.images[0], 2, identity, (8, 8)), TypeError, "filenames"),
    ("load_dataset empty list", lambda b: sol5.load_dataset([], 2, identity, (8, 8)), ValueError, "filenames"),
    ("load_dataset numbers as names", lambda b: sol5.load_dataset([1, 2], 2, identity, (8, 8)), TypeError, "filenames"),
    ("load_dataset missing file", lambda b: sol5.load_dataset([str(b.folder / "x.png")], 2, identity, (8, 8)), FileNotFoundError, "x.png"),
    ("load_dataset batch_size 0", lambda b: sol5.load_dataset(b.images, 0, identity, (8, 8)), ValueError, "batch_size"),
    ("load_dataset batch_size str", lambda b: sol5.load_dataset(b.images, "4", identity, (8, 8)), TypeError, "batch_size"),
    ("load_dataset batch_size None", lambda b: sol5.load_dataset(b.images, None, identity, (8, 8)), TypeError, "batch_size"),
    ("load_dataset batch_size 2.5", lambda b: sol5.load_dataset(b.images, 2.5, identity, (8, 8)), ValueError, "batch_size"),
    ("load_dataset batch_size inf", lambda b: sol5.load_dataset(b.images, float("inf"), identity, (8, 8)), ValueError, "batch_size"),
    ("load_dataset corruption not callable", lambda b: sol5.load_dataset(b.images, 2, "noise", (8, 8)), TypeError, "corruption_func"),
    ("load_dataset crop of 3 sides", lambda b: sol5.load_dataset(b.images, 2, identity, (8, 8, 1)), ValueError, "crop_size"),
    ("load_dataset crop side str", lambda b: sol5.load_dataset(b.images, 2, identity, ("8", 8)), TypeError, "crop_size"),
    ("load_dataset crop larger than image", lambda b: next(sol5.load_dataset(b.images, 2, identity, (64, 64))), ValueError, "good.png"),
    ("load_dataset corruption gives NaN", lambda b: next(sol5.load_dataset(b.images, 2, nan_corruption, (8, 8))), ValueError, "nan_corruption"),
    ("load_dataset corruption out of range", lambda b: next(sol5.load_dataset(b.images, 2, too_bright, (8, 8))), ValueError, r"too_bright.*\[0, 1\]"),
    ("load_dataset corruption changes shape", lambda b: next(sol5.load_dataset(b.images, 2, cropping, (8, 8))), ValueError, "cropping"),
    # build_nn_model
    ("build_nn_model negative blocks", lambda b: sol5.build_nn_model(8, 8, 4, -1), ValueError, "num_res_blocks"),
    ("build_nn_model channels float", lambda b: sol5.build_nn_model(8, 8, 4.5, 1), ValueError, "num_channels"),
    ("build_nn_model height None", lambda b: sol5.build_nn_model(None, 8, 4, 1), TypeError, "height"),
    # train_model
    ("train_model None as model", lambda b: sol5.train_model(None, b.images, identity, 2, 1, 1, 2), TypeError, "model"),
    ("train_model 3-channel model", lambda b: sol5.train_model(b.rgb_model, b.images, identity, 2, 1, 1, 2), ValueError, "model"),
    ("train_model one string of images", lambda b: sol5.train_model(b.model, b.images[0], identity, 2, 1, 1, 2), TypeError, "images"),
    ("train_model one image", lambda b: sol5.train_model(b.model, b.images[:1], identity, 2, 1, 1, 2), ValueError, "2 images"),
    ("train_model epochs 0", lambda b: sol5.train_model(b.model, b.images, identity, 2, 1, 0, 2), ValueError, "num_epochs"),
    ("train_model steps str", lambda b: sol5.train_model(b.model, b.images, identity, 2, "1", 1, 2), TypeError, "steps_per_epoch"),
    # restore_image
    ("restore_image None as model", lambda b: sol5.restore_image(IMAGE, None), TypeError, "base_model"),
    ("restore_image 3-channel model", lambda b: sol5.restore_image(IMAGE, b.rgb_model), ValueError, "base_model"),
    ("restore_image colour image", lambda b: sol5.restore_image(np.zeros((8, 8, 3)), b.model), ValueError, "corrupted_image"),
    ("restore_image values 0-255", lambda b: sol5.restore_image(IMAGE * 255, b.model), ValueError, "corrupted_image"),
    ("restore_image NaN pixel", lambda b: sol5.restore_image(np.where(IMAGE > 0, np.nan, 0), b.model), ValueError, "corrupted_image"),
    ("restore_image model gives NaN", lambda b: sol5.restore_image(IMAGE, b.nan_model), ValueError, "base_model"),
    ("restore_image tiles too small", lambda b: sol5.restore_image(np.full((40, 40), 0.5), b.model, tile_pixels=16), ValueError, "tile_pixels"),
    # corruptions
    ("add_gaussian_noise min > max", lambda b: sol5.add_gaussian_noise(IMAGE, 0.2, 0.1), ValueError, "min_sigma"),
    ("add_gaussian_noise sigma str", lambda b: sol5.add_gaussian_noise(IMAGE, "0.1", 0.2), TypeError, "min_sigma"),
    ("random_motion_blur even size", lambda b: sol5.random_motion_blur(IMAGE, [4]), ValueError, "list_of_kernel_sizes"),
    ("random_motion_blur one int", lambda b: sol5.random_motion_blur(IMAGE, 7), TypeError, "list_of_kernel_sizes"),
    ("add_downscaling factor 0", lambda b: corruptions.add_downscaling(IMAGE, 0), ValueError, "factor"),
    ("super_resolve factor str", lambda b: inference.super_resolve_image(IMAGE, b.model, "2"), TypeError, "factor"),
    # deep prior
    ("deep_prior iterations 0", lambda b: sol5.deep_prior_restore_image(IMAGE, num_iterations=0), ValueError, "num_iterations"),
    ("deep_prior negative seed", lambda b: sol5.deep_prior_restore_image(IMAGE, num_iterations=1, seed=-1), ValueError, "seed"),
    ("deep_prior unknown setting", lambda b: sol5.deep_prior_restore_image(IMAGE, settings={"depth": 3}), ValueError, "depth"),
    # the lab
    ("tasks unknown task", lambda b: tasks.task("inpainting"), ValueError, "inpainting"),
    ("protocols max_images 0", lambda b: protocols.cases("denoising", max_images=0), ValueError, "max_images"),
    ("protocols max_images -1", lambda b: protocols.cases("denoising", max_images=-1), ValueError, "max_images"),
    ("protocols max_side 0", lambda b: protocols.cases("denoising", max_side=0), ValueError, "max_side"),
    ("protocols split", lambda b: protocols.cases("denoising", split="valid"), ValueError, "split"),
    ("image_quality shapes differ", lambda b: evaluation.image_quality(IMAGE, IMAGE[:8]), ValueError, "shape"),
    ("classical unknown method", lambda b: classical.apply_method("denoising", "magic", {}, None), ValueError, "magic"),
    ("read_json cut short", lambda b: files.read_json(str(b.folder / "cut.json")), ValueError, "cut.json"),
    ("read_json not utf-8", lambda b: files.read_json(str(b.folder / "latin1.json")), ValueError, "latin1.json"),
    ("read_json missing", lambda b: files.read_json(str(b.folder / "none.json")), FileNotFoundError, "none.json"),
    ("load_trained truncated model", lambda b: store.load_trained(str(b.folder / "cut.keras")), ValueError, "cut.keras"),
    ("load_trained flipped bytes", lambda b: store.load_trained(str(b.folder / "flipped.keras")), ValueError, "flipped.keras"),
    ("load_trained without record", lambda b: store.load_trained(str(b.folder / "plain.keras")), ValueError, "plain.keras"),
    ("load_trained other task", lambda b: store.load_trained(str(b.folder / "model.keras"), {"task": "denoising"}), ValueError, r"model.keras.*task"),
    ("load_trained missing", lambda b: store.load_trained(str(b.folder / "none.keras")), FileNotFoundError, "none.keras"),
    ("save_trained not .keras", lambda b: store.save_trained(b.model, str(b.folder / "m.h5"), {}), ValueError, "m.h5"),
    ("variant unknown kind", lambda b: files.variant("results/demo", "smoke"), ValueError, "kind"),
]  # fmt: skip


def test_there_are_at_least_forty_rows():
    assert len(ROWS) >= 40


@pytest.mark.parametrize(
    ("call", "error", "pattern"), [row[1:] for row in ROWS], ids=[row[0] for row in ROWS]
)
def test_bad_input_gets_a_clear_error(bad, call, error, pattern):
    with pytest.raises(error, match=pattern) as raised:
        call(bad)
    # exactly the promised type: a subclass such as CorruptFileError is still a ValueError, but
    # imageio's OSError or zipfile's BadZipFile leaking out is not
    assert isinstance(raised.value, (ValueError, TypeError, FileNotFoundError))
