"""The course's helpers for exercise 5: where the datasets are, and the motion-blur kernel.

The course shipped a ``sol5_utils.py`` beside the exercise; this one keeps its functions and
their meaning, and adds clear errors when a dataset has not been built yet.
"""

import os
import random

import numpy as np
from skimage.draw import line

#: File name endings that count as images in a dataset folder.
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")

#: The seed of the fixed shuffle in :func:`list_images`, so every run sees the same order.
LIST_IMAGES_SEED = 1234

#: The command that builds the datasets, named in every error about a missing dataset.
BUILD_DATASETS_COMMAND = "make datasets"

#: The environment variable naming the folder that holds ``image_dataset/`` and
#: ``text_dataset/``; the folder of this file (the project's) when it is not set.
DATA_DIR_VARIABLE = "SOL5_DATA_DIR"


def relpath(filename):
    """Return the path of ``filename`` relative to the folder this module lives in.

    Parameters
    ----------
    filename : str
        A path relative to the project root, e.g. ``"image_dataset/train"``.

    Returns
    -------
    str
        The absolute path.
    """
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), filename)


def list_images(path, use_shuffle=True):
    """List the image files in a folder, optionally in a fixed shuffled order.

    Parameters
    ----------
    path : str
        A folder holding image files (see :data:`IMAGE_EXTENSIONS`); sub-folders are ignored.
    use_shuffle : bool, optional
        Shuffle the sorted list with the fixed seed :data:`LIST_IMAGES_SEED`. The shuffle uses
        its own generator, so the global ``random`` and ``numpy.random`` states are untouched.

    Returns
    -------
    list of str
        Full paths of the images, never empty.

    Raises
    ------
    FileNotFoundError
        If the folder is missing or holds no image; the message names the command that builds
        the datasets.
    """
    if not os.path.isdir(path):
        raise FileNotFoundError(
            f"The dataset folder {path} does not exist. Build the datasets with "
            f"`{BUILD_DATASETS_COMMAND}` (or drop your own images into it)."
        )
    images = sorted(
        os.path.join(path, name)
        for name in os.listdir(path)
        if name.lower().endswith(IMAGE_EXTENSIONS) and not name.startswith(".")
    )
    if not images:
        raise FileNotFoundError(
            f"The dataset folder {path} holds no image ({', '.join(IMAGE_EXTENSIONS)}). "
            f"Build the datasets with `{BUILD_DATASETS_COMMAND}` (or drop your own images into it)."
        )
    if use_shuffle:
        random.Random(LIST_IMAGES_SEED).shuffle(images)
    return images


def data_root():
    """Return the folder that holds the datasets: ``$SOL5_DATA_DIR`` if set, else this file's.

    Returns
    -------
    str
        An absolute path. The course's own ``sol5_utils.py`` knows only its own folder; this
        variable lets an installed copy, or a user with the datasets elsewhere, point to them.
    """
    return os.path.abspath(os.environ.get(DATA_DIR_VARIABLE) or relpath("."))


def dataset_images(dataset, split="train"):
    """List the images of one split of one of the project's datasets, in the fixed shuffled order.

    Parameters
    ----------
    dataset : {"image_dataset", "text_dataset"}
        The dataset folder in :func:`data_root`.
    split : {"train", "test"}, optional
        The split; ``"test"`` holds the held-out images used for evaluation only.

    Returns
    -------
    list of str
        Full paths of the images.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}.")
    return list_images(os.path.join(data_root(), dataset, split), use_shuffle=True)


def images_for_denoising():
    """Return the training images of the denoising task (natural photographs).

    Returns
    -------
    list of str
        Paths of the images in ``image_dataset/train``.
    """
    return dataset_images("image_dataset", "train")


def images_for_deblurring():
    """Return the training images of the deblurring task (pages of printed text).

    Returns
    -------
    list of str
        Paths of the images in ``text_dataset/train``.
    """
    return dataset_images("text_dataset", "train")


def images_for_super_resolution():
    """Return the training images of the super-resolution task (natural photographs).

    Returns
    -------
    list of str
        Paths of the images in ``image_dataset/train``.
    """
    return dataset_images("image_dataset", "train")


def motion_blur_kernel(kernel_size, angle):
    """Return a motion-blur kernel: a normalized line through the kernel's centre.

    Parameters
    ----------
    kernel_size : int
        The kernel's side, odd and positive (an even kernel has no centre pixel).
    angle : float
        The line's direction in radians, in ``[0, pi)``, measured counter-clockwise from the
        positive horizontal axis with rows drawn downwards as in an image: 0 is horizontal,
        ``pi / 2`` vertical, ``3 * pi / 4`` runs from the top-left to the bottom-right corner.

    Returns
    -------
    numpy.ndarray
        Shape ``(kernel_size, kernel_size)``, float64, non-negative, summing to 1, symmetric
        under a half turn, with the centre pixel on the line.

    Examples
    --------
    >>> motion_blur_kernel(3, 0.0)
    array([[0.        , 0.        , 0.        ],
           [0.33333333, 0.33333333, 0.33333333],
           [0.        , 0.        , 0.        ]])
    """
    if int(kernel_size) != kernel_size or kernel_size < 1 or kernel_size % 2 == 0:
        raise ValueError(
            f"kernel_size must be a positive odd integer (an even kernel has no centre), got {kernel_size!r}."
        )
    if not 0 <= angle < np.pi:
        raise ValueError(f"angle must be in [0, pi) radians, got {angle!r}.")
    kernel_size = int(kernel_size)
    centre = kernel_size // 2
    # Stretch the unit direction until its longer component reaches the kernel's border, so the
    # line spans the whole kernel at every angle. Rows grow downwards, hence the minus sign.
    direction = np.array([-np.sin(angle), np.cos(angle)])
    reach = centre / np.max(np.abs(direction))
    end_row, end_col = np.rint(centre + reach * direction).astype(int)
    # Draw half the line from the centre and mirror it through the centre: Bresenham's choices
    # between two equally near pixels are not symmetric, and a blur must not shift the image.
    rows, cols = line(centre, centre, end_row, end_col)
    kernel = np.zeros((kernel_size, kernel_size), dtype=np.float64)
    kernel[rows, cols] = 1.0
    kernel = np.maximum(kernel, kernel[::-1, ::-1])
    return kernel / kernel.sum()
