"""The task registry: every restoration task as one record, read by everything else.

A :class:`Task` says what a task trains on (its images, its corruption, the network's patch size
and width, its epochs) and how it is tested: its named test protocol, the held-out images
corrupted under fixed conditions (:mod:`sol5lab.protocols` makes the cases), with the
non-learned alternative a model is compared with. The learners (:mod:`sol5lab.training`), the
model store, the demo, the benchmark and every experiment read :data:`TASKS`; adding a task is
adding a record.

The assignment's two tasks take their numbers from ``sol5.TASK_SETTINGS``, which ``sol5.py``
keeps because it must work alone; the records read it, never copy it. The budgets (batch,
steps, validation samples, and quick mode's numbers) are ``sol5.TRAINING_BUDGETS`` for every
task.
"""

import dataclasses
from collections.abc import Callable, Mapping

import numpy as np
import scipy.ndimage
from skimage.restoration import inpaint_biharmonic

import sol5
import sol5_utils
from sol5lab import corruptions
from sol5lab.scratches import draw_scratches


@dataclasses.dataclass(frozen=True)
class Task:
    """One restoration task.

    Attributes
    ----------
    name : str
        The registry's key.
    settings : Mapping
        ``crop_size``, ``num_channels``, ``num_epochs`` and the corruption's parameters (the
        ranges it draws from).
    training_images : callable
        ``() -> list of str``: the training images' paths.
    training_corruption : callable
        ``(settings) -> (image -> image)``: the random corruption ``load_dataset`` applies,
        drawing from ``sol5``'s seedable generator.
    test_dataset : str
        The dataset whose ``test`` split holds the held-out images.
    conditions : tuple of dict
        The test protocol: each has a ``name`` and the parameters :attr:`make_case` reads.
    make_case : callable
        ``(condition, image, rng) -> dict`` with the case's ``clean`` image (float64 in [0, 1]),
        its ``corrupted`` version (the model's input: for super-resolution the low-resolution
        image) and, where the task has one, its restoration by the ``alternative``.
    alternative : str or None
        What a learned model is compared with on these cases.
    seed_path : tuple of int
        Placed between the protocol's seed and the image and condition indices, so that each
        task's cases draw their own random numbers.
    learn : callable or None
        The assignment's own ``learn_*_model`` for its two tasks; None for the lab's, which
        :func:`sol5lab.training.learn` trains from this record.
    """

    name: str
    settings: Mapping
    training_images: Callable
    training_corruption: Callable
    test_dataset: str
    conditions: tuple
    make_case: Callable
    alternative: str | None = None
    seed_path: tuple = ()
    learn: Callable | None = None


# --------------------------------------------------------------------------------------------
# The assignment's tasks: Gaussian noise of three known strengths, a 7-pixel motion blur at four
# known directions (the angle in degrees, 0 horizontal).
# --------------------------------------------------------------------------------------------


def _noisy_case(condition, image, rng):
    return {
        "clean": image,
        "corrupted": sol5.add_gaussian_noise(image, condition["sigma"], condition["sigma"], rng=rng),
    }


def motion_kernel(condition):
    """Return the motion-blur kernel of a deblurring condition (what an oracle method is given)."""
    return sol5_utils.motion_blur_kernel(condition["kernel_size"], np.deg2rad(condition["angle_degrees"]))


def _blurred_case(condition, image, rng):
    blurred = sol5.add_motion_blur(image, condition["kernel_size"], np.deg2rad(condition["angle_degrees"]))
    return {"clean": image, "corrupted": sol5.quantize_8bit(blurred)}  # random_motion_blur's rounding


# --------------------------------------------------------------------------------------------
# The lab's tasks, each against its obvious alternative.
# --------------------------------------------------------------------------------------------


def _downscaled_case(condition, image, rng):
    factor = condition["factor"]  # the sides a multiple of the factor, for an exact x-fold
    clean = image[: image.shape[0] // factor * factor, : image.shape[1] // factor * factor]
    low_resolution = corruptions.downscale(clean, factor)
    return {
        "clean": clean,
        "corrupted": low_resolution,
        "alternative": corruptions.upscale(low_resolution, clean.shape),
    }


def _jpeg_case(condition, image, rng):
    decoded = corruptions.add_jpeg_compression(image, condition["quality"])
    return {"clean": image, "corrupted": decoded, "alternative": decoded}


def _salt_and_pepper_case(condition, image, rng):
    noisy = corruptions.add_salt_and_pepper(image, condition["amount"], condition["amount"], rng=rng)
    return {
        "clean": image,
        "corrupted": noisy,
        "alternative": scipy.ndimage.median_filter(noisy, size=3, mode="reflect"),
    }


def _scratched_case(condition, image, rng):
    scratched, mask = draw_scratches(image, condition["coverage"], rng=rng)
    scratched = sol5.quantize_8bit(scratched)
    return {
        "clean": image,
        "corrupted": scratched,
        "alternative": np.clip(inpaint_biharmonic(scratched, ~mask), 0, 1),
    }


def _single_corruption(name):
    return lambda settings: corruptions.single_corruptions(settings)[name]


#: The single lab tasks' network and budget; super-resolution (and so the combined model)
#: trains on 32x32 patches: at 24x24 a 4-times downscaled patch is only 6 low-resolution pixels
#: wide (answer_q2.txt). Every large crop that ``load_dataset`` corrupts (3 x the patch: 72 or
#: 96 px) is whole 8x8 JPEG blocks and a multiple of every super-resolution factor.
_LAB_NETWORK = {"num_channels": 48, "num_epochs": 5}

#: Every task, by name.
TASKS = {
    task.name: task
    for task in (
        Task(
            name="denoising",
            settings=sol5.TASK_SETTINGS["denoising"],
            training_images=sol5_utils.images_for_denoising,
            training_corruption=lambda s: (
                lambda image: sol5.add_gaussian_noise(image, s["min_sigma"], s["max_sigma"])
            ),
            test_dataset="image_dataset",
            conditions=tuple({"name": f"sigma {level}/255", "sigma": level / 255} for level in (10, 25, 50)),
            make_case=_noisy_case,
            learn=sol5.learn_denoising_model,
        ),
        Task(
            name="deblurring",
            settings=sol5.TASK_SETTINGS["deblurring"],
            training_images=sol5_utils.images_for_deblurring,
            training_corruption=lambda s: lambda image: sol5.random_motion_blur(image, s["kernel_sizes"]),
            test_dataset="text_dataset",
            conditions=tuple(
                {"name": f"kernel 7, {degrees} deg", "kernel_size": 7, "angle_degrees": degrees}
                for degrees in (0, 45, 90, 135)
            ),
            make_case=_blurred_case,
            learn=sol5.learn_deblurring_model,
        ),
        Task(
            name="super_resolution",
            settings={"crop_size": (32, 32), **_LAB_NETWORK, **corruptions.SUPER_RESOLUTION},
            training_images=sol5_utils.images_for_super_resolution,
            training_corruption=_single_corruption("super_resolution"),
            test_dataset="image_dataset",
            conditions=tuple({"name": f"x{factor}", "factor": factor} for factor in (2, 3, 4)),
            make_case=_downscaled_case,
            alternative="cubic upscaling",
            seed_path=(0,),
        ),
        Task(
            name="jpeg_deblocking",
            settings={"crop_size": (24, 24), **_LAB_NETWORK, **corruptions.JPEG},
            training_images=sol5_utils.images_for_denoising,
            training_corruption=_single_corruption("jpeg_deblocking"),
            test_dataset="image_dataset",
            conditions=tuple({"name": f"quality {quality}", "quality": quality} for quality in (10, 20, 30)),
            make_case=_jpeg_case,
            alternative="decoded JPEG",
            seed_path=(1,),
        ),
        Task(
            name="salt_and_pepper",
            settings={"crop_size": (24, 24), **_LAB_NETWORK, **corruptions.SALT_AND_PEPPER},
            training_images=sol5_utils.images_for_denoising,
            training_corruption=_single_corruption("salt_and_pepper"),
            test_dataset="image_dataset",
            conditions=tuple(
                {"name": f"{amount:.0%} of pixels", "amount": amount} for amount in (0.05, 0.1, 0.2)
            ),
            make_case=_salt_and_pepper_case,
            alternative="3x3 median filter",
            seed_path=(2,),
        ),
        Task(
            name="scratches",
            settings={"crop_size": (24, 24), **_LAB_NETWORK, **corruptions.SCRATCHES},
            training_images=sol5_utils.images_for_denoising,
            training_corruption=_single_corruption("scratches"),
            test_dataset="image_dataset",
            conditions=tuple(
                {"name": f"{coverage:.0%} scratched", "coverage": coverage} for coverage in (0.05, 0.1)
            ),
            make_case=_scratched_case,
            alternative="biharmonic inpainting, true mask",
            seed_path=(3,),
        ),
        # Four corruptions and their mixtures in one network. At the single tasks' 5 epochs its
        # validation MSE was still falling (7% in the last epoch), so it was given 15; the MSE
        # then stayed at 3.3-3.7e-3 from the 5th epoch on and the held-out scores moved by 0.42 dB
        # at most (results/restoration_tasks.json and its git history): the limit is not the
        # training length. It is scored on the single tasks' cases, not on its own.
        Task(
            name="combined",
            settings={"crop_size": (32, 32), **_LAB_NETWORK, "num_epochs": 15, **corruptions.COMBINED_RANGES},
            training_images=sol5_utils.images_for_denoising,
            training_corruption=lambda s: lambda image: corruptions.add_combined_corruption(image, s),
            test_dataset="image_dataset",
            conditions=(),
            make_case=None,
        ),
    )
}

#: The tasks of the assignment, and the lab's single tasks scored against an alternative.
ASSIGNMENT_TASKS = ("denoising", "deblurring")
COMPARED_TASKS = tuple(name for name, task in TASKS.items() if task.alternative is not None)


def task(name):
    """Return the record of the task ``name``, or raise ValueError naming the tasks there are."""
    if name not in TASKS:
        raise ValueError(f"Unknown task {name!r}; the tasks are {', '.join(TASKS)}.")
    return TASKS[name]


def training_settings(name, quick_mode=False):
    """Return the settings of one task's training run, as :func:`sol5.training_settings` does.

    Parameters
    ----------
    name : str
        A key of :data:`TASKS`.
    quick_mode : bool, optional
        Use the presubmission budget of ``sol5.TRAINING_BUDGETS`` instead of the full one.

    Returns
    -------
    dict
        The task's settings updated with the budget: ``crop_size``, ``num_channels``,
        ``num_epochs``, ``batch_size``, ``steps_per_epoch``, ``num_valid_samples`` and the
        corruption's parameters.
    """
    return {**task(name).settings, **sol5.TRAINING_BUDGETS[bool(quick_mode)]}
