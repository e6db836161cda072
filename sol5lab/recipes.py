"""Strong recipes: the task registry's rows for the models this project ships.

The assignment's rows of :data:`sol5lab.tasks.TASKS` stay exactly as the course sets them (5
epochs of 100 steps, the course's 11 photographs). A :class:`Recipe` is a second row for a task,
made to beat the classical methods rather than to finish in minutes: the network and its size,
the patches, the batch, the augmentation, the loss, the learning-rate schedule, the dtype policy,
and the budget, which is "until the validation PSNR stops improving" (:mod:`sol5lab.resumable`)
with a ceiling of ``max_steps``. Every corruption draws from the generator it is given, so a
recipe's data stream is replayable step by step.

The training photographs are the course's ``image_dataset/train`` and the larger
``photo_dataset/train`` (``make photos``, :mod:`sol5lab.wallpapers`), less the photographs of
:data:`VALIDATION_PHOTOS`, which score the rounds and are never trained on. The training pages
are the course's and the larger ``text_more_dataset/train`` (``make text-more``,
:mod:`sol5lab.fonts`: more fonts, sizes, columns and contrasts), less an eighth of the course's
kept for validation. The held-out test
images of the task's protocol (:mod:`sol5lab.protocols`) score the finished model only.
"""

import dataclasses
import glob
import os
from collections.abc import Callable, Mapping

import keras

import sol5
import sol5_utils
from sol5lab import corruptions, networks

#: Photographs of ``photo_dataset/train`` kept out of training to score its rounds, by name: a
#: close-up, a city scene and still life, 3 of its 25.
VALIDATION_PHOTOS = (
    "lomiri-wallpapers-16.04__dragonfly_by_bolly.png",
    "lomiri-wallpapers-16.04__bridge_by_sander_klootwijk.png",
    "plasma-workspace-wallpapers__colorfulcups.png",
)


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How a shipped model of one task is trained.

    Attributes
    ----------
    task : str
        The row of :data:`sol5lab.tasks.TASKS` whose held-out protocol scores the model.
    architecture : str
        A network of :data:`sol5lab.networks.ARCHITECTURES`.
    network : Mapping
        Its settings (every keyword of its builder not given is the registry's default).
    crop_size : tuple of int
        The training patches' ``(height, width)``.
    batch_size : int
    corruption : callable
        ``(image, rng) -> image``: a clean 2-D float64 image in [0, 1] and a
        ``numpy.random.Generator`` in, a corrupted image of the same shape out.
    training_images, validation_images : callable
        ``() -> list of str``: the paths of the clean images.
    learning_rate : float
        Adam's initial rate, decayed to zero along a cosine over ``max_steps``.
    max_steps : int
        The most training steps.
    round_steps : int
        Steps between validations and checkpoints.
    patience : int
        Rounds without a better validation PSNR before training stops.
    policy : str
        Keras' dtype policy (``mixed_bfloat16`` where the architectures comparison measured it
        faster); a machine without native bfloat16 trains in float32 instead
        (:func:`sol5lab.training.compute_policy`), from the same checkpoint.
    augment : bool
        Random flips and quarter turns of every patch pair.
    loss : str
        Keras' loss.
    num_valid_batches : int
        Fixed validation batches (of ``batch_size`` patches) per round.
    validation_corruption : callable or None
        ``(image, rng) -> image`` for the validation batches, where the rounds should be chosen
        on another draw than the training's; None: ``corruption``.
    warm_start : str or None
        The task whose shipped model (:mod:`sol5lab.shipped`) a fresh training starts from: the
        same network, its weights only (a fresh optimizer and schedule). None: Keras' random
        initialisation.
    """

    task: str
    architecture: str
    network: Mapping
    crop_size: tuple
    batch_size: int
    corruption: Callable
    training_images: Callable
    validation_images: Callable
    learning_rate: float
    max_steps: int
    round_steps: int
    patience: int
    policy: str = "mixed_bfloat16"
    augment: bool = True
    loss: str = "mean_squared_error"
    num_valid_batches: int = 8
    validation_corruption: Callable | None = None
    warm_start: str | None = None

    def build(self, policy=None):
        """Return the recipe's network, compiled: Adam with the cosine schedule, the loss,
        under ``policy`` (kept by the model; the recipe's own by default, and
        :func:`sol5lab.training.compute_policy` says which one a machine can afford)."""
        from sol5lab import training

        with training.keras_policy(policy or self.policy):
            model = networks.build(self.architecture, **networks.settings_of(self.architecture, self.network))
            schedule = keras.optimizers.schedules.CosineDecay(self.learning_rate, self.max_steps)
            model.compile(loss=self.loss, optimizer=keras.optimizers.Adam(schedule, beta_2=sol5.ADAM_BETA_2))
            model.optimizer.build(model.trainable_variables)
        return model

    def config(self):
        """What identifies a training by this recipe, JSON-ready: every field but the callables,
        and the names of the images (so that a changed photo set is another training)."""
        fields = {
            field.name: getattr(self, field.name)
            for field in dataclasses.fields(self)
            if not callable(getattr(self, field.name))
        }
        # a cold start, validated on the training's draw, is identified as it was before these
        # fields existed, so that the checkpoints of trainings begun then still resume
        for name in ("warm_start", "validation_corruption"):
            if getattr(self, name) is None:
                del fields[name]
        if self.validation_corruption is not None:
            fields["validation_corruption"] = self.validation_corruption.__name__
        fields["network"] = networks.settings_of(self.architecture, self.network)
        fields["crop_size"] = list(self.crop_size)
        fields["corruption"] = self.corruption.__name__
        fields["training_images"] = [os.path.basename(path) for path in self.training_images()]
        fields["validation_images"] = [os.path.basename(path) for path in self.validation_images()]
        return fields


def optional_set_images(dataset, make_target, module):
    """Paths of ``<dataset>/train`` (an optional set built by ``make <make_target>``), sorted.

    Raises
    ------
    FileNotFoundError
        If the set is not built, saying how to build it.
    """
    paths = sorted(glob.glob(os.path.join(sol5_utils.data_root(), dataset, "train", "*.png")))
    if not paths:
        raise FileNotFoundError(
            f"{dataset}/train is empty or missing: build it with `make {make_target}` "
            f"(python -m {module}; it needs apt-get and dpkg-deb)."
        )
    return paths


def photo_dataset_images():
    """Paths of ``photo_dataset/train`` (:mod:`sol5lab.wallpapers`), sorted; FileNotFoundError,
    saying how to build it, if it is not built."""
    return optional_set_images("photo_dataset", "photos", "sol5lab.wallpapers")


def training_photographs():
    """The course's training photographs and the photo set's, less :data:`VALIDATION_PHOTOS`."""
    photos = [path for path in photo_dataset_images() if os.path.basename(path) not in VALIDATION_PHOTOS]
    return sol5_utils.images_for_denoising() + photos


def validation_photographs():
    """The photographs of :data:`VALIDATION_PHOTOS`."""
    photos = [path for path in photo_dataset_images() if os.path.basename(path) in VALIDATION_PHOTOS]
    if len(photos) != len(VALIDATION_PHOTOS):
        raise FileNotFoundError(
            f"photo_dataset/train lacks some of {VALIDATION_PHOTOS}: rebuild it (make photos)."
        )
    return photos


def more_text_pages():
    """Paths of ``text_more_dataset/train`` (:mod:`sol5lab.fonts`), sorted; FileNotFoundError,
    saying how to build it, if it is not built."""
    return optional_set_images("text_more_dataset", "text-more", "sol5lab.fonts")


def validation_pages():
    """Held-out pages: the last eighth of ``text_dataset/train``, the course's style (the test
    pages stay unseen)."""
    pages = sorted(sol5_utils.images_for_deblurring())
    return pages[-len(pages) // 8 :]


def training_pages():
    """``text_dataset/train`` less :func:`validation_pages`, and the larger text set's pages."""
    held = set(validation_pages())
    return [page for page in sol5_utils.images_for_deblurring() if page not in held] + more_text_pages()


def gaussian_noise(image, rng):
    """Gaussian noise of a sigma drawn uniformly in [0, 0.2] (the denoising task's range)."""
    settings = sol5.TASK_SETTINGS["denoising"]
    return sol5.add_gaussian_noise(image, settings["min_sigma"], settings["max_sigma"], rng=rng)


def motion_blur(image, rng):
    """A 7-pixel motion blur at an angle drawn uniformly in [0, pi) (the deblurring task's)."""
    return sol5.random_motion_blur(image, sol5.TASK_SETTINGS["deblurring"]["kernel_sizes"], rng=rng)


def downscaling(image, rng):
    """Down- and upscaling by a factor drawn from 2, 3 and 4."""
    return corruptions.random_downscaling(image, corruptions.SUPER_RESOLUTION["factors"], rng=rng)


def jpeg_compression(image, rng):
    """JPEG at a quality drawn in [10, 40]."""
    return corruptions.random_jpeg_compression(
        image, corruptions.JPEG["min_quality"], corruptions.JPEG["max_quality"], rng=rng
    )


#: The share of the combined model's training patches that get one corruption alone, before the
#: mixes (which hold a lone one in 4 of their 15 subsets): MemNet's claim is about lone corruptions.
LONE_SHARE = 0.5


def lone_corruption(image, rng):
    """One of the four lab corruptions alone, each equally likely
    (:func:`corruptions.add_lone_corruption`)."""
    return corruptions.add_lone_corruption(image, corruptions.COMBINED_RANGES, rng=rng)


def lone_or_combined_corruption(image, rng):
    """With probability :data:`LONE_SHARE` one lab corruption alone (:func:`lone_corruption`),
    else a random non-empty mix of the four (:func:`corruptions.add_combined_corruption`)."""
    if rng.random() < LONE_SHARE:
        return lone_corruption(image, rng)
    return corruptions.add_combined_corruption(image, corruptions.COMBINED_RANGES, rng=rng)


_PHOTOS = {"training_images": training_photographs, "validation_images": validation_photographs}

#: What every strong recipe shares: the network, the batch, the schedule and the budget.
_STRONG = {
    "architecture": "resnet",
    "network": {"num_channels": 64, "num_res_blocks": 8},
    "batch_size": 32,
    "learning_rate": 1e-3,
    "max_steps": 30_000,
    "round_steps": 500,
    "patience": 10,
}

#: Patches for the tasks that need whole 8x8 JPEG blocks and a multiple of every enlargement
#: (2, 3 and 4): 48x48, in batches of 16, which is about the pixels of a step of the others
#: (36,864 against 32,768), so about their time per step.
_STRONG_LARGE = {**_STRONG, "crop_size": (48, 48), "batch_size": 16}

#: The combined model's patience: the whole ceiling, so it runs to the end of its cosine. With four
#: corruptions its validation moves by up to 1.1 dB from one round to the next, and with a
#: patience of 10 rounds a second training stopped at 72% of the cosine (step 21,500), while
#: every single-task model found its best round past step 26,000 (docs/strong.md).
COMBINED_PATIENCE = _STRONG["max_steps"] // _STRONG["round_steps"]

#: The strong recipes, by task. The network is the assignment's ResNet, widened and deepened: at
#: an equal budget it restored best of the seeds' networks (docs/architectures.md), and it is the
#: cheapest per step, which on 2 cores is what buys quality. Its step pays for bfloat16 (1.8 to
#: 1.9 times faster). 32x32 patches keep a step near 0.35 s at 8 blocks of 64 channels; the
#: ceiling of 30,000 steps took 2 to 10 hours of training on 2 cores (docs/strong.md), the
#: longest mostly in float32 on a CPU without native bfloat16.
RECIPES = {
    recipe.task: recipe
    for recipe in (
        Recipe(task="denoising", crop_size=(32, 32), corruption=gaussian_noise, **_STRONG, **_PHOTOS),
        Recipe(
            task="deblurring",
            crop_size=(32, 32),
            corruption=motion_blur,
            training_images=training_pages,
            validation_images=validation_pages,
            **_STRONG,
        ),  # fmt: skip
        Recipe(task="super_resolution", corruption=downscaling, **_STRONG_LARGE, **_PHOTOS),
        # JPEG deblocking starts from the shipped super-resolution model too, the same network,
        # which has learnt to restore the fine detail a JPEG drops: its first training, from
        # random weights, missed the +1.2 dB target at quality 10 by 0.11 dB (docs/strong.md).
        Recipe(
            task="jpeg_deblocking",
            corruption=jpeg_compression,
            warm_start="super_resolution",
            **_STRONG_LARGE,
            **_PHOTOS,
        ),  # fmt: skip
        # One network for scratches, low resolution, JPEG and impulse noise, alone or mixed
        # (MemNet's claim: within 0.5 dB of each single-task model). It starts from the shipped
        # super-resolution model, the same network, which already undoes one of its corruptions:
        # in a 300-step probe (issue 17's notes) JPEG deblocking started so led a cold start by
        # 0.4 to 0.5 dB, and this model has the most to learn, in a budget of many hours here.
        # Its rounds are scored on lone corruptions: scored on the training's mixes, a first
        # training chose a round that lost 0.2 to 0.7 dB on them (docs/strong.md).
        Recipe(
            task="combined",
            corruption=lone_or_combined_corruption,
            validation_corruption=lone_corruption,
            warm_start="super_resolution",
            **{**_STRONG_LARGE, "patience": COMBINED_PATIENCE},
            **_PHOTOS,
        ),  # fmt: skip
    )
}


def recipe(task):
    """Return the strong recipe of ``task``, or raise ValueError naming those there are."""
    if task not in RECIPES:
        raise ValueError(f"No strong recipe for {task!r}; there are recipes for {', '.join(RECIPES)}.")
    return RECIPES[task]
