"""The held-out test cases: each task's test images under fixed, seeded corruptions.

Every experiment that scores restorations of the assignment's tasks (the depth experiment, the
comparison with classical methods) scores them on these cases, so their numbers can be compared
row by row. A case's corruption depends only on :data:`SEED`, the image's place in the sorted
test list and the condition's place in :data:`CONDITIONS`.
"""

import os

import numpy as np

import sol5
import sol5_utils

#: Seed of the test corruptions.
SEED = 2020

#: Where each task's held-out images are (``<dataset>/test``).
DATASETS = {"denoising": "image_dataset", "deblurring": "text_dataset"}

#: The corruptions each task is scored under: Gaussian noise of three known strengths, and a
#: 7-pixel motion blur at four known directions (the angle in degrees, 0 horizontal).
CONDITIONS = {
    "denoising": tuple({"name": f"sigma {level}/255", "sigma": level / 255} for level in (10, 25, 50)),
    "deblurring": tuple(
        {"name": f"kernel 7, {degrees} deg", "kernel_size": 7, "angle_degrees": degrees}
        for degrees in (0, 45, 90, 135)
    ),
}


def corrupt(condition, image, rng):
    """Apply one condition of :data:`CONDITIONS` to a clean image.

    Parameters
    ----------
    condition : dict
        An entry of :data:`CONDITIONS`.
    image : numpy.ndarray
        Clean grayscale image, 2-D, float64 in [0, 1]; not modified.
    rng : numpy.random.Generator
        Source of the noise (blur takes none).

    Returns
    -------
    numpy.ndarray
        The corrupted image, float64 in [0, 1], on 8-bit levels like the training inputs.
    """
    if "sigma" in condition:
        return sol5.add_gaussian_noise(image, condition["sigma"], condition["sigma"], rng=rng)
    blurred = sol5.add_motion_blur(image, condition["kernel_size"], np.deg2rad(condition["angle_degrees"]))
    return sol5.quantize_8bit(blurred)  # the 8-bit rounding of random_motion_blur


def motion_kernel(condition):
    """Return the motion-blur kernel of a deblurring condition (what an oracle method is given)."""
    return sol5_utils.motion_blur_kernel(condition["kernel_size"], np.deg2rad(condition["angle_degrees"]))


def cases(task, *, max_images=None, split="test", seed=SEED):
    """Return the held-out cases of ``task``: every test image under every condition.

    Parameters
    ----------
    task : {"denoising", "deblurring"}
    max_images : int, optional
        Use only the first ``max_images`` images (sorted by name), for tiny runs.
    split : {"test", "train"}, optional
        The images to corrupt; ``"train"`` (with another seed) gives cases for tuning a method's
        parameters without looking at the test images.
    seed : int, optional
        Seed of the corruptions.

    Returns
    -------
    list of dict
        Image-major order; each with ``image`` (file name), ``condition`` (its name),
        ``condition_index``, ``clean`` and ``corrupted`` (float64 arrays).

    Raises
    ------
    FileNotFoundError
        If the task's test images are missing (``make datasets`` builds them).
    """
    if task not in DATASETS:
        raise ValueError(f"Unknown task {task!r}; expected one of {sorted(DATASETS)}.")
    paths = sorted(sol5_utils.dataset_images(DATASETS[task], split))[:max_images]
    result = []
    for image_index, path in enumerate(paths):
        clean = sol5.read_image(path, sol5.GRAYSCALE)
        for condition_index, condition in enumerate(CONDITIONS[task]):
            rng = np.random.default_rng([seed, image_index, condition_index])
            result.append(
                {
                    "image": os.path.basename(path),
                    "condition": condition["name"],
                    "condition_index": condition_index,
                    "clean": clean,
                    "corrupted": corrupt(condition, clean, rng),
                }
            )
    return result
