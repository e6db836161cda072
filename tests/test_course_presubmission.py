"""The submission as the course checks it: ``ex5.tar`` unpacked into a package ``current/`` beside
the course's own ``sol5_utils.py``, imported as ``current.sol5``, and put through the course's
presubmission sequence in a fresh Python.

The course's ``sol5_utils.py`` (:data:`COURSE_SOL5_UTILS`) has only the course's six functions,
with the course's signatures; this project's installed modules are hidden from the fresh Python,
so ``sol5.py`` passes only if it works alone.
"""

import os
import subprocess
import sys
import tarfile
import textwrap

import imageio.v3 as iio
import numpy as np

from sol5lab import submission

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: The course's helpers, as the course ships them beside a submission: nothing of this project's.
COURSE_SOL5_UTILS = textwrap.dedent(
    """
    import os
    import random

    import numpy as np
    from skimage.draw import line


    def relpath(filename):
        return os.path.join(os.path.dirname(__file__), filename)


    def list_images(path, use_shuffle=True):
        def is_image(filename):
            return os.path.splitext(filename)[-1][1:].lower() in ["jpg", "png"]

        images = [os.path.join(path, name) for name in os.listdir(path) if is_image(name)]
        if use_shuffle:
            state = random.getstate()
            random.seed(1234)
            random.shuffle(images)
            random.setstate(state)
        return images


    def images_for_denoising():
        return list_images(relpath("image_dataset/train"), True)


    def images_for_deblurring():
        return list_images(relpath("text_dataset/train"), True)


    def images_for_super_resolution():
        return list_images(relpath("image_dataset/train"), True)


    def motion_blur_kernel(kernel_size, angle):
        if kernel_size % 2 == 0:
            raise ValueError("kernel_size must be an odd number!")
        if angle < 0 or angle > np.pi:
            raise ValueError("angle must be between 0 (including) and pi (not including)")
        norm_angle = 2.0 * angle / np.pi
        if norm_angle > 1:
            norm_angle = 1 - norm_angle
        half_size = kernel_size // 2
        if abs(norm_angle) == 1:
            p1 = (half_size, 0)
            p2 = (half_size, kernel_size - 1)
        else:
            alpha = np.tan(np.pi * 0.5 * norm_angle)
            if abs(norm_angle) <= 0.5:
                p1 = (2 * half_size, half_size - int(round(alpha * half_size)))
                p2 = (kernel_size - 1 - p1[0], kernel_size - 1 - p1[1])
            else:
                alpha = np.tan(np.pi * 0.5 * (1 - norm_angle))
                p1 = (half_size - int(round(alpha * half_size)), 2 * half_size)
                p2 = (kernel_size - 1 - p1[0], kernel_size - 1 - p1[1])
        rr, cc = line(p1[0], p1[1], p2[0], p2[1])
        kernel = np.zeros((kernel_size, kernel_size), dtype=np.float64)
        kernel[rr, cc] = 1.0
        kernel /= kernel.sum()
        return kernel
    """
)

#: The course's presubmission sequence, run from the folder above ``current/``. It stops at the
#: first failure; each passed check prints ``ok <name>``.
PRESUBMISSION = textwrap.dedent(
    """
    import importlib.util
    import sys

    # Only the folder above current/ and the installed packages: hide this project's own
    # (installed in development mode), as on the course's machine.
    sys.meta_path = [f for f in sys.meta_path if not getattr(f, "__module__", "").startswith("__editable__")]
    sys.path_hooks = [
        h for h in sys.path_hooks if not getattr(h, "__module__", "").startswith("__editable__")
    ]
    sys.path_importer_cache.clear()
    for name in ("sol5", "sol5_utils", "sol5lab"):
        assert importlib.util.find_spec(name) is None, f"{name} is importable outside current/"

    import numpy as np

    def passed(name):
        print("ok", name, flush=True)

    import current.sol5 as sol5
    import current.sol5_utils as sol5_utils
    passed("import")

    datasets = {
        "denoising": sol5_utils.images_for_denoising(),
        "deblurring": sol5_utils.images_for_deblurring(),
    }
    for task, images in datasets.items():
        batches = sol5.load_dataset(images, 100, lambda x: x, (16, 16))
        for _ in range(3):
            source, target = next(batches)
            assert source.shape == target.shape == (100, 16, 16, 1), (source.shape, target.shape)
            assert source.dtype == np.float64 and target.dtype == np.float64, (source.dtype, target.dtype)
        passed(f"load_dataset {task}")

    model = sol5.build_nn_model(16, 16, 32, 3)
    assert model is not None and model.input_shape[-3:] == (16, 16, 1), model.input_shape
    passed("build_nn_model")

    for task, images in datasets.items():
        sol5.train_model(model, images, lambda x: x, 10, 3, 2, 20)
        passed(f"train_model {task}")

    text_image = sol5.read_image(datasets["deblurring"][0], 1)
    assert text_image.dtype == np.float64
    restored = sol5.restore_image(text_image, model)
    assert restored.shape == text_image.shape and restored.dtype == np.float64
    passed("restore_image")

    for name, corrupted in (
        ("add_gaussian_noise", sol5.add_gaussian_noise(text_image, 0, 0.2)),
        ("random_motion_blur", sol5.random_motion_blur(text_image, [7])),
    ):
        assert corrupted.shape == text_image.shape and corrupted.dtype == np.float64, name
        passed(name)

    for learn in (sol5.learn_denoising_model, sol5.learn_deblurring_model):
        learned = learn(num_res_blocks=3, quick_mode=True)
        assert learned is not None
        restored = sol5.restore_image(text_image, learned)
        assert restored.shape == text_image.shape and restored.dtype == np.float64
        passed(learn.__name__)
    """
)

#: Every check of :data:`PRESUBMISSION`, in order.
CHECKS = [
    "import",
    "load_dataset denoising",
    "load_dataset deblurring",
    "build_nn_model",
    "train_model denoising",
    "train_model deblurring",
    "restore_image",
    "add_gaussian_noise",
    "random_motion_blur",
    "learn_denoising_model",
    "learn_deblurring_model",
]


def write_small_datasets(current):
    """Six small photographs (RGB) and six pages (grayscale) as the course unzips its datasets."""
    rng = np.random.default_rng(5)
    rows, cols = np.mgrid[0:72, 0:88]
    for index in range(6):
        smooth = 0.5 + 0.3 * np.sin(rows / (4 + index)) * np.cos(cols / 6)
        photo = np.stack([smooth, smooth**2, 1 - smooth], axis=-1) + 0.05 * rng.random((72, 88, 3))
        page = np.where(rng.random((72, 88)) < 0.15, 0.1, 0.95)
        for folder, image in (("image_dataset", photo), ("text_dataset", page)):
            os.makedirs(os.path.join(current, folder, "train"), exist_ok=True)
            path = os.path.join(current, folder, "train", f"{index}.png")
            iio.imwrite(path, np.clip(np.round(image * 255), 0, 255).astype(np.uint8))


def course_layout(tmp_path, sol5_source=None):
    """Unpack ``make submission``'s tarball as the course does, into ``tmp_path/current``.

    ``sol5_source``, if given, replaces the tarball's ``sol5.py`` (to show what the checks catch).
    Returns the folder above ``current/``, from which the course imports.
    """
    tarball = str(tmp_path / "ex5.tar")
    submission.write_submission(ROOT, tarball)
    current = tmp_path / "current"
    current.mkdir()
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            with tar.extractfile(member) as file:
                (current / os.path.basename(member.name)).write_bytes(file.read())
    (current / "__init__.py").write_text("")
    (current / "sol5_utils.py").write_text(COURSE_SOL5_UTILS)
    if sol5_source is not None:
        (current / "sol5.py").write_text(sol5_source)
    write_small_datasets(str(current))
    return str(tmp_path)


def course_python(code, folder, *arguments):
    """Run ``code`` in a fresh Python from ``folder`` with ``arguments``, without this project's
    ``PYTHONPATH`` or the user's site-packages; return the finished process."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, "-s", "-c", code, *arguments],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def run_presubmission(folder):
    """Run :data:`PRESUBMISSION` in a fresh Python from ``folder``.

    Returns the exit status, the checks passed, and what it wrote to stderr.
    """
    child = course_python(PRESUBMISSION, folder)
    checks = [line[3:] for line in child.stdout.splitlines() if line.startswith("ok ")]
    return child.returncode, checks, child.stderr


def test_the_submission_passes_the_course_presubmission(tmp_path):
    status, checks, stderr = run_presubmission(course_layout(tmp_path))
    assert status == 0, stderr[-3000:]
    assert checks == CHECKS


#: The faults the presubmission was written for: ``(fault, original, replacement, checks passed)``,
#: ``original`` a line of ``sol5.py`` that ``replacement`` puts back wrong.
FAULTS = [
    (
        "imports sol5_utils as a top-level module",
        "    from . import sol5_utils\n",
        "    import sol5_utils\n",
        [],
    ),
    (
        "yields float32 batches",
        "source = np.empty((batch_size, *crop_size, 1), dtype=np.float64)",
        "source = np.empty((batch_size, *crop_size, 1), dtype=np.float32)",
        ["import"],
    ),
]

#: :data:`PRESUBMISSION` once from each folder of ``sys.argv[1:]``, in one process: each run
#: imports its own ``current`` package afresh, and ends with a line ``end <exit status>``.
PRESUBMISSIONS = textwrap.dedent(
    """
    import importlib, os, sys, traceback
    for folder in sys.argv[1:]:
        os.chdir(folder)
        for name in [name for name in sys.modules if name == "current" or name.startswith("current.")]:
            del sys.modules[name]
        importlib.invalidate_caches()
        try:
            exec(compile(PRESUBMISSION, "presubmission", "exec"), {"__name__": "__main__"})
            status = 0
        except SystemExit as exit:
            status = exit.code
        except BaseException:
            traceback.print_exc()
            status = 1
        print("end", status, flush=True)
    """
)


def test_the_presubmission_catches_the_faults_it_was_written_for(tmp_path):
    """Each fault in a copy of its own; the runs share one process (a fresh one took about 9 s of
    CPU, most of it starting TensorFlow), the passing run above has its own."""
    with open(os.path.join(ROOT, "sol5.py"), encoding="utf-8") as file:
        source = file.read()
    folders = []
    for index, (fault, original, replacement, _) in enumerate(FAULTS):
        assert source.count(original) == 1, f"sol5.py changed: update the fault '{fault}'"
        folder = tmp_path / f"fault{index}"
        folder.mkdir()
        folders.append(course_layout(folder, source.replace(original, replacement)))
    child = course_python(f"PRESUBMISSION = {PRESUBMISSION!r}\n{PRESUBMISSIONS}", tmp_path, *folders)
    assert child.returncode == 0, child.stderr[-3000:]
    runs, checks = [], []
    for line in child.stdout.splitlines():
        if line.startswith("ok "):
            checks.append(line[3:])
        elif line.startswith("end "):
            runs.append((int(line[4:]), checks))
            checks = []
    assert len(runs) == len(FAULTS), child.stderr[-3000:]
    for (fault, _, _, passed), (status, checks) in zip(FAULTS, runs, strict=True):
        assert status != 0 and checks == passed, fault


def test_make_submission_refuses_when_a_file_is_missing(tmp_path):
    for name in submission.SUBMISSION_FILES:
        (tmp_path / name).write_text(name)
    (tmp_path / "answer_q2.txt").unlink()
    child = subprocess.run(
        [sys.executable, "-m", "sol5lab.submission", "--root", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert child.returncode == 2
    assert "answer_q2.txt: make tasks" in child.stderr and "Traceback" not in child.stderr
    assert not (tmp_path / "ex5.tar").exists()


def test_make_submission_holds_exactly_the_six_files(tmp_path):
    for name in submission.SUBMISSION_FILES:
        (tmp_path / name).write_text(f"contents of {name}")
    members = submission.write_submission(str(tmp_path), str(tmp_path / "ex5.tar"))
    with tarfile.open(tmp_path / "ex5.tar") as tar:
        names = tar.getnames()
        contents = {name: tar.extractfile(name).read().decode() for name in names}
    assert names == members == [f"ex5/{name}" for name in submission.SUBMISSION_FILES]
    assert contents == {f"ex5/{name}": f"contents of {name}" for name in submission.SUBMISSION_FILES}
