"""The course's helpers: the motion-blur kernel and the dataset listings."""

import os
import random

import numpy as np
import pytest

import sol5_utils
from sol5_utils import list_images, motion_blur_kernel

ANGLES = np.linspace(0, np.pi, 180, endpoint=False)


@pytest.mark.parametrize("kernel_size", [1, 3, 5, 7, 9, 15])
def test_kernel_is_a_normalized_centred_line_of_kernel_size_pixels(kernel_size):
    centre = kernel_size // 2
    for angle in ANGLES:
        kernel = motion_blur_kernel(kernel_size, angle)
        assert kernel.shape == (kernel_size, kernel_size)
        assert kernel.dtype == np.float64
        assert kernel.sum() == pytest.approx(1.0)
        assert kernel[centre, centre] > 0
        # symmetric under a half turn, so blurring does not shift the image
        np.testing.assert_array_equal(kernel, kernel[::-1, ::-1])
        # a line spanning the kernel: one pixel per row or per column, kernel_size in all
        assert np.count_nonzero(kernel) == kernel_size
        assert np.unique(kernel[kernel > 0]).size == 1


def test_kernel_directions():
    horizontal = motion_blur_kernel(7, 0.0)
    assert np.all(horizontal[3] == pytest.approx(1 / 7)) and horizontal.sum() == pytest.approx(1)
    vertical = motion_blur_kernel(7, np.pi / 2)
    assert np.all(vertical[:, 3] == pytest.approx(1 / 7))
    # the assignment's example: 3*pi/4 runs from the top-left to the bottom-right corner
    np.testing.assert_allclose(motion_blur_kernel(5, 3 * np.pi / 4), np.eye(5) / 5)
    np.testing.assert_allclose(motion_blur_kernel(5, np.pi / 4), np.fliplr(np.eye(5)) / 5)


def test_kernel_follows_the_angle():
    """The kernel's principal direction is the angle (measured with rows growing downwards)."""
    for angle in np.linspace(0, np.pi, 24, endpoint=False):
        kernel = motion_blur_kernel(21, angle)
        rows, cols = np.nonzero(kernel)
        x, y = cols - 10, 10 - rows
        _, _, vt = np.linalg.svd(np.stack([x, y], axis=1).astype(float))
        fitted = np.arctan2(vt[0, 1], vt[0, 0]) % np.pi
        error = min(abs(fitted - angle), np.pi - abs(fitted - angle))
        assert error < 0.06, (angle, fitted)


@pytest.mark.parametrize("kernel_size", [0, 2, 4, -3, 2.5])
def test_kernel_rejects_sizes_without_a_centre(kernel_size):
    with pytest.raises(ValueError, match="odd"):
        motion_blur_kernel(kernel_size, 0.0)


@pytest.mark.parametrize("angle", [-0.1, np.pi, 4.0])
def test_kernel_rejects_angles_outside_zero_to_pi(angle):
    with pytest.raises(ValueError, match=r"\[0, pi\)"):
        motion_blur_kernel(5, angle)


def make_files(folder, names):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"")
    return folder


def test_list_images_fixed_shuffle_leaves_global_random_states_alone(tmp_path):
    folder = make_files(
        tmp_path / "train", [f"{i:02d}.png" for i in range(30)] + ["notes.txt", ".hidden.png"]
    )
    # the legacy global state is the thing under test here
    random.seed(5)
    np.random.seed(5)  # noqa: NPY002
    python_state, numpy_state = random.getstate(), np.random.get_state()  # noqa: NPY002
    shuffled = list_images(str(folder))
    assert random.getstate() == python_state
    assert all(np.array_equal(a, b) for a, b in zip(np.random.get_state(), numpy_state, strict=True))  # noqa: NPY002
    assert list_images(str(folder)) == shuffled
    assert sorted(shuffled) == list_images(str(folder), use_shuffle=False)
    assert shuffled != sorted(shuffled)
    assert len(shuffled) == 30 and all(path.endswith(".png") for path in shuffled)


def test_missing_or_empty_dataset_says_how_to_build_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="make datasets"):
        list_images(str(tmp_path / "nowhere"))
    empty = make_files(tmp_path / "empty", ["readme.md"])
    with pytest.raises(FileNotFoundError, match="make datasets"):
        list_images(str(empty))


def test_dataset_helpers_point_at_the_right_folders(monkeypatch, tmp_path):
    monkeypatch.setattr(sol5_utils, "relpath", lambda path: str(tmp_path / path))
    make_files(tmp_path / "image_dataset" / "train", ["a.png", "b.jpg"])
    make_files(tmp_path / "text_dataset" / "train", ["t.png"])
    make_files(tmp_path / "text_dataset" / "test", ["u.png"])
    assert sorted(map(lambda p: p.split("/")[-1], sol5_utils.images_for_denoising())) == ["a.png", "b.jpg"]
    assert sol5_utils.images_for_super_resolution() == sol5_utils.images_for_denoising()
    assert [p.split("/")[-1] for p in sol5_utils.images_for_deblurring()] == ["t.png"]
    assert [p.split("/")[-1] for p in sol5_utils.dataset_images("text_dataset", "test")] == ["u.png"]
    with pytest.raises(ValueError, match="split"):
        sol5_utils.dataset_images("text_dataset", "validation")


def test_relpath_is_relative_to_the_project_root():
    assert sol5_utils.relpath("sol5.py") == sol5_utils.__file__.replace("sol5_utils.py", "sol5.py")


def test_the_datasets_are_found_where_sol5_data_dir_says(tmp_path, monkeypatch):
    folder = tmp_path / "image_dataset" / "train"
    folder.mkdir(parents=True)
    (folder / "photo.png").write_bytes(b"")
    monkeypatch.setenv(sol5_utils.DATA_DIR_VARIABLE, str(tmp_path))
    assert sol5_utils.data_root() == str(tmp_path)
    assert sol5_utils.images_for_denoising() == [str(folder / "photo.png")]
    monkeypatch.delenv(sol5_utils.DATA_DIR_VARIABLE)
    assert sol5_utils.data_root() == os.path.dirname(os.path.abspath(sol5_utils.__file__))
