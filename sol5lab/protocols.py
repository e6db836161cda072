"""The named test protocols: each task's held-out images under its fixed, seeded conditions.

Every experiment scores restorations on these cases (the demo, the depth experiment, the
classical comparison, the task comparison, the precision trial), so their numbers can be
compared row by row. A case depends only on :data:`SEED`, the task's ``seed_path``, the image's
place in the sorted test list and the condition's place in the task's ``conditions``
(:mod:`sol5lab.tasks`).
"""

import os

import imageio.v3 as iio
import numpy as np

import sol5
import sol5_utils
from sol5lab import tasks

#: Seed of the test corruptions.
SEED = 2020

#: Quick runs (smoke tests of an experiment's code) score each test image's central window of
#: this side (``cases(..., max_side=QUICK_MAX_SIDE)``): restoring a whole 512x512 image with
#: the assignment's network takes about a second, most of such a run's time.
QUICK_MAX_SIDE = 128


def cases(task, *, max_images=None, split="test", seed=SEED, max_side=None):
    """Return the held-out cases of ``task``: every test image under every condition.

    Parameters
    ----------
    task : str
        A task of :data:`sol5lab.tasks.TASKS` with a test protocol.
    max_images : int, optional
        Use only the first ``max_images`` images (sorted by name), for tiny runs.
    split : {"test", "train"}, optional
        The images to corrupt; ``"train"`` (with another seed) gives cases for tuning a method's
        parameters without looking at the test images.
    seed : int, optional
        Seed of the corruptions.
    max_side : int, optional
        Keep only the central ``max_side`` x ``max_side`` window of each image (a side that is
        already shorter stays whole), cut before the corruption, for tiny runs.

    Returns
    -------
    list of dict
        Image-major order; each with ``image`` (file name), ``condition`` (its name),
        ``condition_index``, ``parameters`` (the condition's record), ``clean`` and
        ``corrupted`` (float64 arrays in [0, 1]), and ``alternative`` where the task has one.

    Raises
    ------
    ValueError
        If the task is unknown or has no test protocol of its own, or ``max_images`` or
        ``max_side`` is not a positive int (``TypeError`` if it is not a number).
    FileNotFoundError
        If the task's test images are missing (``make datasets`` builds them).
    """
    record = tasks.task(task)
    if max_images is not None:
        max_images = sol5.check_int(max_images, "max_images")
    if max_side is not None:
        max_side = sol5.check_int(max_side, "max_side")
    if split not in ("test", "train"):
        raise ValueError(f"split must be 'test' or 'train', got {split!r}.")
    if not record.conditions:
        raise ValueError(f"The task {task!r} has no test protocol of its own.")
    paths = sorted(sol5_utils.dataset_images(record.test_dataset, split))[:max_images]
    result = []
    for image_index, path in enumerate(paths):
        image = sol5.read_image(path, sol5.GRAYSCALE)
        if max_side is not None:
            image = central_window(image, max_side)
        for condition_index, condition in enumerate(record.conditions):
            rng = np.random.default_rng([seed, *record.seed_path, image_index, condition_index])
            result.append(
                {
                    "image": os.path.basename(path),
                    "condition": condition["name"],
                    "condition_index": condition_index,
                    "parameters": condition,
                    **record.make_case(condition, image, rng),
                }
            )
    return result


def central_window(image, side):
    """The central ``side`` x ``side`` window of a 2-D ``image`` (a shorter side stays whole).

    Returns a view of ``image``; where a side's surplus is odd, the window sits one pixel nearer
    the top or left.
    """
    top, left = (max(0, length - side) // 2 for length in image.shape[:2])
    return image[top : top + side, left : left + side]


def colour_cases(task, *, max_images=None, seed=SEED):
    """Return the held-out colour cases of ``task``: its colour test images under its conditions.

    Each colour channel is corrupted as :func:`cases` corrupts a grayscale image, one after the
    other from the case's random source, so a noise is drawn independently in R, G and B (a
    camera's colour noise). The random source of a case is the one :func:`cases` gives the same
    image and condition.

    Parameters
    ----------
    task : str
        A task of :data:`sol5lab.tasks.TASKS` with a test protocol.
    max_images : int, optional
        Use only the first ``max_images`` colour images (sorted by name).
    seed : int, optional
        Seed of the corruptions.

    Returns
    -------
    list of dict
        As :func:`cases`, with ``clean``, ``corrupted`` (and ``alternative``) of shape
        ``(height, width, 3)``, float64 in [0, 1].
    """
    record = tasks.task(task)
    if not record.conditions:
        raise ValueError(f"The task {task!r} has no test protocol of its own.")
    paths = sorted(sol5_utils.dataset_images(record.test_dataset, "test"))
    colour = [(index, path) for index, path in enumerate(paths) if len(iio.improps(path).shape) == 3]
    result = []
    for image_index, path in colour[:max_images]:
        image = sol5.read_image(path, sol5.RGB)
        for condition_index, condition in enumerate(record.conditions):
            rng = np.random.default_rng([seed, *record.seed_path, image_index, condition_index])
            channels = [record.make_case(condition, image[..., c], rng) for c in range(3)]
            result.append(
                {
                    "image": os.path.basename(path),
                    "condition": condition["name"],
                    "condition_index": condition_index,
                    "parameters": condition,
                    **{key: np.stack([case[key] for case in channels], axis=-1) for key in channels[0]},
                }
            )
    return result
