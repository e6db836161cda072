"""The library's speed measured against this machine's own limit: its matrix-product rate.

Every convolution of the assignment's network is a matrix product in disguise, so the rate at
which this machine multiplies two large float32 matrices (``keras.ops.matmul``, 4096x4096) is
the yardstick: each figure below is reported beside its share of that rate. In one run it
measures

- the machine: cores, CPU model and flags, Keras backend and versions;
- the matrix-product rate, in GFLOP/s;
- a training step of each assignment model (``train_on_batch`` on a fixed batch): seconds,
  samples per second, GFLOP/s from the model's own convolutions (:func:`conv_flops`);
- ``sol5.load_dataset`` with each task's real corruption: batches per second, and the share of
  a training step spent waiting for them (each step of ``fit`` timed, fed by the real generator
  against fed one precomputed batch over and over, both as ``sol5.train_model`` feeds ``fit``);
- the teardown of ``fit``'s input pipeline, as ``train_model`` feeds it and fed the bare
  generator (on TensorFlow, the latter can idle until tf.data's autotuner wakes up);
- quick mode (``learn_*_model(quick_mode=True)``) in a fresh process: the first call after the
  import, and a second call;
- ``sol5.restore_image`` from 256x256 to 2048x2048: the first call on a new size (building and
  tracing the full-size model included) and a repeated call, GFLOP/s, and peak memory;
- a 4096x4096 image restored in tiles, and tiled against whole restoration on one image;
- ``sol5.deep_prior_restore_image`` on a 64x64 image at its default budget;
- a denoising training step in ``mixed_bfloat16`` against ``float32``;
- a training step of every network of :mod:`sol5lab.networks` for both assignment tasks, under
  both policies, as a share of the matrix-product rate of its own dtype (float32, bfloat16)
  (:func:`architecture_steps`);
- a 12-megapixel colour photograph denoised by the ``sol5lab restore`` command with the demo's
  model, in a fresh process: its time and its peak memory (:func:`photo_restoration`);
- each shipped model (``sol5lab.pretrained``): a 512x512 image, and the 12-megapixel photograph
  through the command, its time and peak memory (:func:`shipped_models`);
- with ``--full-training``, the full ``learn_denoising_model()`` and ``learn_deblurring_model()``,
  as the library feeds ``fit`` and fed the bare generator.

Every figure is the median of several repetitions after a warm-up, with their minimum, maximum
and count. Run ``python -m sol5lab.experiments.benchmark`` (``make bench``; about 10 minutes on 2
cores) for ``results/benchmark.json``, or ``--quick`` for a tiny run that goes through the same
code (``results/benchmark_quick.json``); both print a markdown table with the targets.
``--only photo`` measures the photograph alone and puts it into the JSON an earlier run wrote;
``--only shipped --shipped-task TASK`` times one shipped model and keeps the others' rows.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import imageio.v3 as iio
import keras
import numpy as np

import sol5
import sol5_utils
from sol5lab import files, tasks, timing, training
from sol5lab.reporting import benchmark as benchmark_report

TASKS = ("denoising", "deblurring")

#: The assignment's depth, for every model a full run measures (a quick run's is its budget's).
NUM_RES_BLOCKS = 5

#: Sizes and repetitions, by quick mode (like ``sol5.TRAINING_BUDGETS``): ``--quick`` changes
#: these numbers, and leaves out what it would measure twice, never the code path. The full
#: column is sized to finish in under 10 minutes on 2 cores: 5 repetitions of what takes about a
#: second, 2 or 3 of what takes more.
BUDGETS = {
    False: {
        "matmul_size": 4096,
        "matmul_repeats": 5,
        "num_res_blocks": NUM_RES_BLOCKS,  # of the assignment's network, wherever it is timed
        "batch_size": sol5.TRAINING_BUDGETS[False]["batch_size"],
        "train_step_repeats": 5,
        "loader_batches": 10,  # batches drawn per timed repetition
        "loader_repeats": 5,
        "data_wait_tasks": TASKS,
        "fit_steps": 30,  # steps of each timed fit, each timed alone
        "fit_repeats": 5,  # rounds of fits: real data, one constant batch, real data as float32
        "plain_fit_repeats": 2,  # fits fed the bare generator, for its teardown
        "quick_mode_tasks": TASKS,
        "quick_mode_repeats": 5,  # fresh processes per task
        "restore_sizes": (256, 512, 1024, 2048),
        "restore_first_repeats": 2,  # each on a fresh model: building and tracing included
        "restore_repeated_repeats": 3,
        "tiled_size": (4096, 4096),
        "tiled_tile_pixels": None,  # restore_image's default, sol5.RESTORE_TILE_PIXELS
        "tiled_repeats": 2,
        "check_size": (1024, 1024),  # tiled against whole, at a size where both fit
        "check_tile_pixels": 512 * 512,
        "deep_prior_size": 64,
        "deep_prior_iterations": None,  # sol5.DEEP_PRIOR_SETTINGS' budget
        "deep_prior_repeats": 3,
        "deep_prior_settings": None,  # sol5.DEEP_PRIOR_SETTINGS' network
        "mixed_precision_repeats": 5,
        "mixed_precision_batch_size": sol5.TRAINING_BUDGETS[False]["batch_size"],
        "full_training_repeats": 1,  # minutes each
        "photo_shape": (3000, 4000),  # 12 megapixels, a phone camera's
        "photo_tile_pixels": None,  # the command's default, sol5lab.photos.TILE_PIXELS
        "photo_repeats": 2,  # fresh processes, a minute or more each
        "photo_section": True,  # the demo's denoiser on the photograph
        "architectures_tasks": ("denoising", "deblurring"),
        "architectures_networks": None,  # every network of sol5lab.networks.ARCHITECTURES
        "architectures_repeats": 5,
        "architectures_batch_size": None,  # each task's
        "shipped_image_side": 512,
    },
    True: {
        "matmul_size": 512,
        "matmul_repeats": 2,
        # the same layers' code at a fraction of the building and tracing
        "num_res_blocks": 1,
        "batch_size": sol5.TRAINING_BUDGETS[True]["batch_size"],
        "train_step_repeats": 2,
        "loader_batches": 2,
        "loader_repeats": 2,
        # the sections that spend seconds per task (fits, fresh processes) time one: the code
        # path is the same for both
        "data_wait_tasks": ("deblurring",),
        "fit_steps": 2,
        "fit_repeats": 2,
        "plain_fit_repeats": 1,
        "quick_mode_tasks": ("deblurring",),
        "quick_mode_repeats": 1,
        "restore_sizes": (64, 128),
        "restore_first_repeats": 1,
        "restore_repeated_repeats": 2,
        "tiled_size": (160, 120),
        "tiled_tile_pixels": 64 * 64,
        "tiled_repeats": 1,
        "check_size": (96, 80),
        "check_tile_pixels": 40 * 40,
        "deep_prior_size": 64,
        "deep_prior_iterations": 5,
        "deep_prior_repeats": 1,
        # a one-level network: the same code at a third of the building and tracing
        "deep_prior_settings": {"num_levels": 1},
        "mixed_precision_repeats": 2,
        # a CPU without native bfloat16 emulates it: a quick mode batch took 40 s there
        "mixed_precision_batch_size": 1,
        "full_training_repeats": 1,
        "photo_shape": (120, 160),
        "photo_tile_pixels": 64 * 64,
        "photo_repeats": 1,
        # the shipped section's stand-in, a random denoising network, goes through the same command
        # on the same photograph (photo_restoration): a fresh process, about 9 s of CPU, once
        "photo_section": False,
        "architectures_tasks": ("deblurring",),
        # one network, under both policies: each network's build and trace is seconds, and which
        # rows have a target is the report's arithmetic, tested on its own
        "architectures_networks": ("resnet",),
        "architectures_repeats": 1,
        # a CPU without native bfloat16 emulates it: the task's batch of 100 took 40 s there
        "architectures_batch_size": 8,
        "shipped_image_side": 64,
    },
}

#: What each figure should reach on a quiet machine, printed beside it.
TARGETS = {
    "training_step_vs_matmul": 0.75,  # a training step's GFLOP/s, as a share of the matmul rate
    "data_wait_share": 0.05,  # share of a step in fit spent waiting for the generator
    "teardown_seconds": 1.0,  # fit's return after its last step, at most (ours, not the issue's)
    "float64_cost": 0.02,  # a step in fit fed float64 batches, against float32 ones
    "quick_mode_seconds": 2.0,  # one learn_*_model(quick_mode=True) call
    "restore_vs_matmul": 0.70,  # restore_image's GFLOP/s ...
    "restore_vs_matmul_from_size": 512,  # ... for images of this side and up
    "tiled_max_abs_difference": 1e-4,  # tiled against whole restoration
    "photo_peak_mb": 1024,  # the command's memory on a 12-megapixel photograph, at most
    "architectures_vs_matmul": 0.6,  # a convolution-heavy network's step, of its dtype's matmul rate
}


# --------------------------------------------------------------------------------------------
# Timing and memory.
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# The machine and its limit.
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Training.
# --------------------------------------------------------------------------------------------


def compiled_model(task, num_res_blocks):
    """Build the task's assignment network and compile it as ``sol5.train_model`` does."""
    settings = sol5.training_settings(task)
    model = sol5.build_nn_model(*settings["crop_size"], settings["num_channels"], num_res_blocks)
    sol5.compile_for_training(model)
    return model


def random_batch(task, batch_size, rng):
    """A fixed (source, target) batch of the task's patch shape, in the network's frame."""
    shape = (batch_size, *sol5.TASK_SETTINGS[task]["crop_size"], 1)
    return tuple(rng.uniform(-0.5, 0.5, size=shape).astype(np.float32) for _ in range(2))


def training_step(task, batch_size, repeats, matmul_gflops, *, rng, num_res_blocks=NUM_RES_BLOCKS):
    """Time ``train_on_batch`` of the task's model (``num_res_blocks`` deep) on a fixed random
    batch.

    Returns
    -------
    dict
        The model's shape, ``gflop_per_step``, and summaries of ``seconds`` per step,
        ``samples_per_second`` and ``gflops``; ``vs_matmul`` is the median rate's share of the
        matrix-product rate (None without it).
    """
    settings = sol5.training_settings(task)
    model = compiled_model(task, num_res_blocks)
    source, target = random_batch(task, batch_size, rng)
    # The first call builds the optimizer and traces the step: that is the warm-up.
    seconds = timing.timed(lambda: model.train_on_batch(source, target), repeats)
    gflop = timing.training_step_flops(model, batch_size, *settings["crop_size"]) / 1e9
    gflops = timing.per_second(gflop, seconds)
    return {
        "batch_size": batch_size,
        "crop_size": list(settings["crop_size"]),
        "num_channels": settings["num_channels"],
        "num_res_blocks": num_res_blocks,
        "gflop_per_step": gflop,
        "seconds": seconds,
        "samples_per_second": timing.per_second(batch_size, seconds),
        "gflops": gflops,
        "vs_matmul": gflops["median"] / matmul_gflops if matmul_gflops else None,
    }


def task_batches(task, batch_size, *, rng):
    """``sol5.load_dataset`` on the task's training images with its real corruption."""
    settings = sol5.training_settings(task)
    record = tasks.TASKS[task]
    corruption = record.training_corruption(settings)
    return sol5.load_dataset(record.training_images(), batch_size, corruption, settings["crop_size"], rng=rng)


def data_loading(task, batch_size, batches, repeats, *, rng):
    """Time drawing ``batches`` batches from :func:`task_batches`, after a warm-up batch (which
    reads the images into the generator's cache, as the first step of a training does)."""
    generator = task_batches(task, batch_size, rng=rng)
    seconds = timing.timed(lambda: [next(generator) for _ in range(batches)], repeats)
    return {
        "batch_size": batch_size,
        "batches_per_repeat": batches,
        "seconds_per_batch": timing.scaled(seconds, 1 / batches),
        "batches_per_second": timing.per_second(batches, seconds),
    }


def _repeat(batch):
    """A generator that yields ``batch`` forever (``fit`` accepts generators, not iterators)."""
    while True:
        yield batch


def _as_float32(batches):
    """The batches of ``batches`` cast to float32, as ``load_dataset`` made them before it
    yielded float64: the training step fed each dtype is timed in the same run."""
    for source, target in batches:
        yield source.astype(np.float32), target.astype(np.float32)


class StepClock(keras.callbacks.Callback):
    """Record when ``fit`` starts training, ends each step, and ends training."""

    def on_train_begin(self, logs=None):
        self.stamps = [time.perf_counter()]

    def on_train_batch_end(self, batch, logs=None):
        self.stamps.append(time.perf_counter())

    def on_train_end(self, logs=None):
        self.ended = time.perf_counter()


def fit_timeline(model, feed, steps):
    """Fit ``model`` one epoch of ``steps`` steps on ``feed``, as ``sol5.train_model`` calls ``fit``.

    Returns
    -------
    step_seconds : numpy.ndarray
        The duration of each step, ``steps`` of them.
    teardown_seconds : float
        From the end of training (``on_train_end``) to ``fit`` returning: what tearing down the
        input pipeline costs.
    """
    clock = StepClock()
    model.fit(feed, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False, callbacks=[clock])
    returned = time.perf_counter()
    return np.diff(clock.stamps), returned - clock.ended


def data_wait(task, batch_size, steps, repeats, plain_repeats, *, rng, num_res_blocks=NUM_RES_BLOCKS):
    """Measure the share of a training step spent waiting for ``sol5.load_dataset``, and the
    cost of tearing down ``fit``'s input pipeline.

    The same compiled model (``num_res_blocks`` deep) is fitted for ``steps`` steps fed, as
    ``sol5.train_model`` feeds it (:class:`sol5.InOrderBatches`), by the real generator and by a
    generator that yields one precomputed batch of the same shape. Each fit's steps are timed
    one by one (a callback), and the fit's figure is its median step, so neither the fit's start
    nor its teardown counts. The two feeds alternate, so a change in the machine's load hits
    both alike; each pair gives ``(step_real - step_constant) / step_real``. A third feed,
    alternating with them, casts the real batches to float32:
    ``step_real / step_real_float32 - 1`` is what ``load_dataset``'s float64 batches cost a
    step. Then ``fit`` is fed the bare generator, as Keras takes it, ``plain_repeats`` times:
    its teardown against the library's.

    Returns
    -------
    dict
        ``steps``; summaries of the per-fit median ``step_seconds`` by feed (``real``,
        ``constant``, ``real_float32``, ``plain_generator``), of the ``share``, of the
        ``float64_cost``, and of the ``teardown_seconds`` of the library's feed (all its fits)
        and of the ``plain_generator``.
    """
    model = compiled_model(task, num_res_blocks)
    real = task_batches(task, batch_size, rng=rng)
    constant = next(real)
    feeds = {
        "real": lambda: sol5.InOrderBatches(real, steps),
        "constant": lambda: sol5.InOrderBatches(_repeat(constant), steps),
        "real_float32": lambda: sol5.InOrderBatches(_as_float32(real), steps),
    }
    for feed in feeds.values():  # warm-up: the training step is traced, the images cached
        fit_timeline(model, feed(), steps)
    step_seconds = {name: [] for name in (*feeds, "plain_generator")}
    teardowns = {"library": [], "plain_generator": []}
    for _ in range(repeats):
        for name, feed in feeds.items():
            seconds, teardown = fit_timeline(model, feed(), steps)
            step_seconds[name].append(float(np.median(seconds)))
            teardowns["library"].append(teardown)
    for _ in range(plain_repeats):
        seconds, teardown = fit_timeline(model, real, steps)
        step_seconds["plain_generator"].append(float(np.median(seconds)))
        teardowns["plain_generator"].append(teardown)
    shares = [
        (t_real - t_const) / t_real
        for t_real, t_const in zip(step_seconds["real"], step_seconds["constant"], strict=True)
    ]
    float64_costs = [
        t_64 / t_32 - 1 for t_64, t_32 in zip(step_seconds["real"], step_seconds["real_float32"], strict=True)
    ]
    return {
        "batch_size": batch_size,
        "steps": steps,
        "step_seconds": {name: timing.median_summary(values) for name, values in step_seconds.items()},
        "share": timing.median_summary(shares),
        "float64_cost": timing.median_summary(float64_costs),
        "teardown_seconds": {name: timing.median_summary(values) for name, values in teardowns.items()},
    }


#: Run in a fresh Python: import sol5, then call a task's quick mode twice, timing each.
_QUICK_MODE_CHILD = """
import json, sys, time
started = time.perf_counter()
import sol5
imported = time.perf_counter()
learn = {"denoising": sol5.learn_denoising_model, "deblurring": sol5.learn_deblurring_model}[sys.argv[1]]
calls = []
for _ in range(2):
    start = time.perf_counter()
    learn(num_res_blocks=int(sys.argv[2]), quick_mode=True, verbose=0)
    calls.append(time.perf_counter() - start)
print(json.dumps({"import": imported - started, "calls": calls}))
"""


def quick_mode(task, repeats, num_res_blocks=NUM_RES_BLOCKS):
    """Time the task's ``learn_*_model(num_res_blocks, quick_mode=True)``, by default as the
    presubmission meets it (the course's 5 blocks).

    Each repetition is a fresh Python process, so the first call pays what a first call pays
    (the backend's start, building and tracing the model); the second call, in the same process,
    shows what is left once those are done. The import is timed apart.

    Returns
    -------
    dict
        Summaries of ``import_seconds``, ``first_call_seconds`` and ``second_call_seconds``.
    """
    imports, firsts, seconds = [], [], []
    for _ in range(repeats):
        child = subprocess.run(
            [sys.executable, "-c", _QUICK_MODE_CHILD, task, str(num_res_blocks)],
            cwd=os.path.dirname(os.path.abspath(__file__)),
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            raise RuntimeError(f"quick mode of {task} failed in its own process:\n{child.stderr[-2000:]}")
        measured = json.loads(child.stdout.strip().splitlines()[-1])
        imports.append(measured["import"])
        firsts.append(measured["calls"][0])
        seconds.append(measured["calls"][1])
    return {
        "import_seconds": timing.median_summary(imports),
        "first_call_seconds": timing.median_summary(firsts),
        "second_call_seconds": timing.median_summary(seconds),
    }


def full_training(repeats):
    """Time the full ``learn_denoising_model()`` and ``learn_deblurring_model()`` (minutes), as
    the library feeds ``fit`` and with ``fit`` fed the bare generator (``in_order=False``): the
    same ``sol5.learn_model`` call with the task's own images, corruption and settings.

    Returns
    -------
    dict
        Per task, summaries of ``seconds`` and ``bare_generator_seconds``.
    """
    result = {}
    for task in TASKS:
        settings = sol5.training_settings(task)

        def learn(in_order, record=tasks.TASKS[task], settings=settings):
            corruption = record.training_corruption(settings)
            sol5.learn_model(
                record.training_images(), corruption, NUM_RES_BLOCKS, settings, verbose=0, in_order=in_order
            )

        result[task] = {
            "seconds": timing.timed(lambda learn=learn: learn(True), repeats, warmup=0),
            "bare_generator_seconds": timing.timed(lambda learn=learn: learn(False), repeats, warmup=0),
        }
    return result


def mixed_precision_step_ratio(task, batch_size, repeats, *, rng, num_res_blocks=NUM_RES_BLOCKS):
    """Time a training step (:func:`training_step`, ``num_res_blocks`` deep) under the
    ``"mixed_bfloat16"`` and ``"float32"`` policies.

    Keras' global policy decides the dtype of the layers built after it is set, so each policy
    builds its own model; the policy in force before is restored whatever happens.

    Returns
    -------
    dict
        ``task``, ``batch_size``, the :func:`training_step` figures under each policy, and the
        ``speedup`` of bfloat16: float32's median step time over bfloat16's (above 1: faster).
    """
    steps = {}
    for policy in ("float32", "mixed_bfloat16"):
        with training.keras_policy(policy):
            steps[policy] = training_step(
                task, batch_size, repeats, None, rng=rng, num_res_blocks=num_res_blocks
            )
    return {
        "task": task,
        "batch_size": batch_size,
        "seconds": {policy: step["seconds"] for policy, step in steps.items()},
        "speedup": steps["float32"]["seconds"]["median"] / steps["mixed_bfloat16"]["seconds"]["median"],
    }


# --------------------------------------------------------------------------------------------
# Restoration.
# --------------------------------------------------------------------------------------------


def architecture_steps(tasks_, repeats, matmul_size, *, rng, names=None, batch_size=None):
    """Time a training step of each network of :mod:`sol5lab.networks` under both policies.

    Each network is built with the task's settings (its width; the depth of its registry row) on
    the task's patches, compiled as ``sol5.train_model`` compiles, and timed with
    ``train_on_batch`` on a fixed random batch of the task's size; its rate (the operations of
    :func:`sol5lab.timing.training_step_flops` per second) is compared with the matrix-product
    rate of the dtype it computes in: float32's, or bfloat16's under ``mixed_bfloat16``.
    ``names`` are the networks timed (registry names), by default every one; ``batch_size``
    the batch, by default the task's.

    Returns
    -------
    dict
        ``matmul``: ``{dtype: matmul_rate}``; ``steps``: ``{task: {network: {policy: {
        "gflop_per_step", "seconds", "gflops", "vs_matmul"}}}}``.
    """
    from sol5lab import networks  # heavy (every network's layers); only this section needs it

    policies = {"float32": "float32", "mixed_bfloat16": "bfloat16"}
    matmul = {
        dtype: timing.matmul_rate(matmul_size, repeats + 2, rng=rng, dtype=dtype)
        for dtype in policies.values()
    }
    steps = {}
    for task in tasks_:
        settings = sol5.training_settings(task)
        task_batch_size = batch_size or settings["batch_size"]
        batch = random_batch(task, task_batch_size, rng)
        steps[task] = {}
        for name in networks.ARCHITECTURES if names is None else names:
            steps[task][name] = {}
            for policy, dtype in policies.items():
                with training.keras_policy(policy):
                    model = networks.build(name, **training.network_settings(task, name))
                    sol5.compile_for_training(model)
                seconds = timing.timed(lambda m=model: m.train_on_batch(*batch), repeats, warmup=2)  # noqa: B023
                gflop = timing.training_step_flops(model, task_batch_size, *settings["crop_size"]) / 1e9
                gflops = timing.per_second(gflop, seconds)
                steps[task][name][policy] = {
                    "gflop_per_step": gflop,
                    "seconds": seconds,
                    "gflops": gflops,
                    "vs_matmul": gflops["median"] / matmul[dtype]["gflops"]["median"],
                }
    return {"matmul": matmul, "steps": steps}


def restoration_model(num_res_blocks=NUM_RES_BLOCKS):
    """The denoising network's shape, ``num_res_blocks`` deep, random weights, with its
    correction scaled down.

    The timings do not depend on the weights. The scaling matters for the tiled-against-whole
    comparison: a random network's correction is large, and clipped to [0, 1] it would hide any
    difference; a trained network's correction is small, like this one's.
    """
    settings = sol5.TASK_SETTINGS["denoising"]
    model = sol5.build_nn_model(*settings["crop_size"], settings["num_channels"], num_res_blocks)
    last = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)][-1]
    kernel, bias = last.get_weights()
    last.set_weights([kernel * 0.01, bias])
    return model


def restore_sizes(
    sizes, first_repeats, repeated_repeats, matmul_gflops, *, rng, num_res_blocks=NUM_RES_BLOCKS
):
    """Time ``sol5.restore_image`` on square random images, from the smallest to the largest,
    with :func:`restoration_model` ``(num_res_blocks)``.

    The first call on a size builds and traces its full-size model; each of its repetitions uses
    a fresh model, so none finds it cached. The repeated call reuses the last one. The memory is
    the peak over all the calls on the size, above the process's memory before them.

    Returns
    -------
    list of dict
        Per size: ``size``, ``gflop`` (forward, :func:`conv_flops`), summaries of
        ``first_call_seconds``, ``repeated_call_seconds`` and ``gflops`` (repeated calls),
        ``vs_matmul``, ``tracing_seconds`` (first minus repeated median) and the ``memory``.
    """
    rows = []
    for side in sorted(sizes):
        image = rng.random((side, side))
        with timing.peak_memory() as memory:
            firsts = []
            for _ in range(first_repeats):
                model = restoration_model(num_res_blocks)
                start = time.perf_counter()
                sol5.restore_image(image, model)
                firsts.append(time.perf_counter() - start)
            # The last first call is the repeated calls' warm-up.
            repeated = timing.timed(
                lambda image=image, model=model: sol5.restore_image(image, model), repeated_repeats, warmup=0
            )
        gflop = timing.conv_flops(model, 1, side, side) / 1e9
        gflops = timing.per_second(gflop, repeated)
        first = timing.median_summary(firsts)
        rows.append(
            {
                "size": [side, side],
                "gflop": gflop,
                "first_call_seconds": first,
                "repeated_call_seconds": repeated,
                "gflops": gflops,
                "vs_matmul": gflops["median"] / matmul_gflops,
                "tracing_seconds": first["median"] - repeated["median"],
                "memory": memory,
            }
        )
    return rows


def _tiles(shape, model, tile_pixels):
    """The tiles ``sol5.restore_image`` cuts an image of ``shape`` into, for ``model``."""
    return sol5.restoration_tiles(shape, sol5.receptive_radius(model), tile_pixels)


def tiled_restoration(size, pixels, repeats, matmul_gflops, *, rng, num_res_blocks=NUM_RES_BLOCKS):
    """Time ``sol5.restore_image`` on an image large enough to be restored in tiles, with
    :func:`restoration_model` ``(num_res_blocks)``.

    All tiles share one shape; the warm-up restores an image of exactly that shape, which builds
    and traces the full-size model the tiles then reuse, at a fraction of the whole's cost.

    Returns
    -------
    dict
        ``size``, ``tile_pixels``, ``tiles``, ``tile_shape``, ``gflop`` (of the image, the
        overlaps not counted), summaries of ``seconds`` and ``gflops``, ``vs_matmul``, ``memory``.
    """
    model = restoration_model(num_res_blocks)
    image = rng.random(size)
    used_pixels = sol5.RESTORE_TILE_PIXELS if pixels is None else pixels
    tiles = _tiles(image.shape, model, used_pixels)
    rows, cols = tiles[0][0]
    sol5.restore_image(image[rows, cols], model, tile_pixels=used_pixels)
    with timing.peak_memory() as memory:
        seconds = timing.timed(
            lambda: sol5.restore_image(image, model, tile_pixels=used_pixels), repeats, warmup=0
        )
    gflop = timing.conv_flops(model, 1, *size) / 1e9
    gflops = timing.per_second(gflop, seconds)
    return {
        "size": list(size),
        "tile_pixels": used_pixels,
        "tiles": len(tiles),
        "tile_shape": [rows.stop - rows.start, cols.stop - cols.start],
        "gflop": gflop,
        "seconds": seconds,
        "gflops": gflops,
        "vs_matmul": gflops["median"] / matmul_gflops,
        "memory": memory,
    }


def tiling_check(size, pixels, *, rng, num_res_blocks=NUM_RES_BLOCKS):
    """Restore one image whole and in tiles of at most ``pixels`` pixels with
    :func:`restoration_model` ``(num_res_blocks)``, and compare them.

    Returns
    -------
    dict
        ``size``, ``tile_pixels``, ``tiles``, the ``max_abs_difference``, the ``tolerance``,
        whether the difference is ``within_tolerance``, and the ``unclipped_share`` of the
        pixels (where the comparison can see a difference at all).
    """
    model = restoration_model(num_res_blocks)
    image = rng.random(size)
    whole = sol5.restore_image(image, model)
    tiles = _tiles(image.shape, model, pixels)
    tiled = sol5.restore_image(image, model, tile_pixels=pixels)
    difference = float(np.max(np.abs(tiled - whole)))
    tolerance = TARGETS["tiled_max_abs_difference"]
    return {
        "size": list(size),
        "tile_pixels": pixels,
        "tiles": len(tiles),
        "max_abs_difference": difference,
        "tolerance": tolerance,
        "within_tolerance": difference <= tolerance,
        "unclipped_share": float(np.mean((whole > 0) & (whole < 1))),
    }


def deep_prior(side, num_iterations, repeats, *, rng, settings=None):
    """Time ``sol5.deep_prior_restore_image`` on a random ``side`` x ``side`` image.

    Each call builds and fits a fresh network, so there is nothing to cache; the warm-up is a
    2-step call, which loads what the backend loads once. ``settings`` are the call's overrides
    of ``sol5.DEEP_PRIOR_SETTINGS`` (None: its defaults).
    """
    image = rng.random((side, side))
    if num_iterations is None:
        num_iterations = sol5.DEEP_PRIOR_SETTINGS["num_iterations"]

    def call(iterations):
        return sol5.deep_prior_restore_image(image, num_iterations=iterations, seed=0, settings=settings)

    call(2)
    seconds = timing.timed(lambda: call(num_iterations), repeats, warmup=0)
    return {
        "size": [side, side],
        "num_iterations": num_iterations,
        "seconds": seconds,
        "seconds_per_iteration": seconds["median"] / num_iterations,
    }


# --------------------------------------------------------------------------------------------
# A user's photograph, through the command.
# --------------------------------------------------------------------------------------------

#: Run in a fresh Python, in the project's folder: start Keras as the command starts it, then run
#: ``sol5lab restore`` on the photograph as a user would (``--quiet``: no progress bar), timing
#: it and its peak memory.
_PHOTO_CHILD = """
import json, sys, time
from sol5lab import cli
with cli.backend_start_muted():  # Keras started as the command starts it
    pass
from sol5lab import timing
with timing.peak_memory() as memory:
    start = time.perf_counter()
    status = cli.main(sys.argv[1:])
    seconds = time.perf_counter() - start
print(json.dumps({"status": status, "seconds": seconds, "memory": memory,
                  "process_peak_mb": timing.process_peak_mb()}))
"""


def synthetic_photograph(shape, *, rng):
    """A colour photograph of ``shape`` (height, width) with Gaussian noise of sigma 25/255.

    A held-out photograph (``coffee.png``) enlarged with the cubic spline to ``shape``, each
    channel then given noise as the denoising protocol's middle condition: deterministic for a
    seeded ``rng``, and an image a phone could take, in size and in noise.

    Returns
    -------
    numpy.ndarray
        ``shape + (3,)``, uint8.
    """
    from skimage.transform import resize

    source = sol5.read_image(
        os.path.join(sol5_utils.data_root(), "image_dataset", "test", "coffee.png"), sol5.RGB
    )
    enlarged = resize(source, shape, order=3, anti_aliasing=False)
    noisy = enlarged + rng.normal(0, 25 / 255, size=enlarged.shape)
    return np.round(np.clip(noisy, 0, 1) * 255).astype(np.uint8)


def photo_restoration(shape, tile_pixels, repeats, model_path, *, rng, task="denoise", scale=None):
    """Time ``sol5lab restore --task TASK`` on a colour photograph of ``shape``, and its memory.

    Each repetition is a fresh process, so the memory is the command's alone, from reading the
    file to writing its restoration (the model's loading included), above the process's memory
    once Keras has started; ``process_peak_mb`` is the whole process's peak, Keras included.

    Returns
    -------
    dict
        ``size`` (height, width), ``megapixels``, ``colour_method``, ``tile_pixels``, ``tiles``,
        and summaries of ``seconds``, ``peak_above_start_mb`` and ``process_peak_mb``.
    """
    from sol5lab import colour, image_files, photos

    with tempfile.TemporaryDirectory() as folder:
        source, target = os.path.join(folder, "photo.png"), os.path.join(folder, "restored.png")
        iio.imwrite(source, synthetic_photograph(shape, rng=rng))
        arguments = ["restore", source, "-o", target, "--task", task, "--model", model_path, "--quiet"]
        if scale is not None:  # super-resolution: the output is scale times the input, each way
            arguments += ["--scale", str(scale)]
        if tile_pixels is not None:
            arguments += ["--tile-pixels", str(tile_pixels)]
        measured = []
        for _ in range(repeats):
            child = subprocess.run(
                [sys.executable, "-c", _PHOTO_CHILD, *arguments],
                cwd=os.path.dirname(os.path.abspath(sol5.__file__)),
                capture_output=True,
                text=True,
                check=False,
            )
            report = json.loads(child.stdout.strip().splitlines()[-1]) if child.returncode == 0 else {}
            if report.get("status") != 0:
                raise RuntimeError(f"sol5lab restore failed in its own process:\n{child.stderr[-2000:]}")
            measured.append(report)
        restored = image_files.read_image_file(target)
        expected = tuple(side * (scale or 1) for side in shape)
        if restored.planes.shape != (*expected, 3) or restored.dtype != np.uint8:
            raise RuntimeError(
                f"sol5lab restore wrote {restored.planes.shape} {restored.dtype}, not {expected} uint8"
            )
    model = photos.load_model(model_path)
    used_pixels = photos.TILE_PIXELS if tile_pixels is None else tile_pixels
    margin = photos.tile_margin(model, colour.DEFAULT_METHOD)
    return {
        "size": list(shape),
        "megapixels": shape[0] * shape[1] / 1e6,
        "colour_method": colour.DEFAULT_METHOD,
        "tile_pixels": used_pixels,
        "tiles": len(sol5.restoration_tiles(shape, margin, used_pixels)),
        "seconds": timing.median_summary([report["seconds"] for report in measured]),
        "peak_above_start_mb": timing.median_summary(
            [report["memory"]["peak_above_start_mb"] for report in measured]
        ),
        "process_peak_mb": timing.median_summary([report["process_peak_mb"] for report in measured]),
    }


def photo(quick, models_dir):
    """:func:`photo_restoration` at :data:`BUDGETS` ``[quick]``, with the demo's denoising model
    (trained as the demo trains it if ``models_dir`` has none) or, quick, the denoising network's
    shape with random weights (the time does not depend on the weights)."""
    from sol5lab import store
    from sol5lab.experiments.demo import SEED

    budget = BUDGETS[quick]
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as folder:
        if quick:
            model_path = os.path.join(folder, "denoising.keras")
            files.save_model(restoration_model(budget["num_res_blocks"]), model_path)
        else:
            stem = os.path.join(models_dir, "denoising")
            store.trained_model("denoising", stem, seed=SEED)
            model_path = f"{stem}.keras"
        return {
            "command": "sol5lab restore PHOTO -o OUTPUT --task denoise --model "
            + (
                "a random denoising network" if quick else os.path.relpath(model_path, sol5_utils.relpath(""))
            ),
            **photo_restoration(
                tuple(budget["photo_shape"]),
                budget["photo_tile_pixels"],
                budget["photo_repeats"],
                model_path,
                rng=rng,
            ),
        }


# --------------------------------------------------------------------------------------------
# The run and its table.
# --------------------------------------------------------------------------------------------


def architectures(quick):
    """:func:`architecture_steps` at :data:`BUDGETS` ``[quick]``."""
    budget = BUDGETS[quick]
    return architecture_steps(
        budget["architectures_tasks"],
        budget["architectures_repeats"],
        budget["matmul_size"],
        rng=np.random.default_rng(2),
        names=budget["architectures_networks"],
        batch_size=budget["architectures_batch_size"],
    )


#: The enlargement a shipped super-resolution model is timed at (its input is the photograph's
#: size divided by it, each way, so its output has the photograph's size).
SHIPPED_SCALE = 2


def shipped_models(quick, models_dir=None, tasks=None):
    """Time each shipped model (:mod:`sol5lab.shipped`): a 512x512 grey image restored in
    this process (``sol5lab.inference.restore_with``, the median of 3 after a warm-up) under the
    model's stored dtype policy and in float32 (``sol5lab.pretrained(task, "float32")``), and
    the 12-megapixel colour photograph by the ``sol5lab restore`` command in a fresh process,
    with its peak memory (:func:`photo_restoration`, tiled as the command tiles; the command
    computes as ``sol5lab.pretrained`` does, in float32 where the machine would emulate the
    stored bfloat16: :func:`sol5lab.training.for_this_machine`).

    Quick mode times a model of the denoising network's shape with random weights saved where
    ``models_dir`` says (the time does not depend on the weights), as if it were shipped for
    each task.

    Parameters
    ----------
    tasks : sequence of str, optional
        The shipped models to time (every shipped one by default; quick mode's stand-in is
        ``denoising``'s).

    Returns
    -------
    dict
        ``{task: {"image_side", "seconds", "policy", "float32_seconds", "photo", "machine"}}``:
        ``seconds`` under the stored dtype ``policy``, ``float32_seconds`` the same image in
        float32 (:func:`sol5lab.training.with_policy`; None for a float32 model), ``machine``
        (:func:`sol5lab.timing.machine_info`) where it was measured; empty when no model ships.
    """
    from sol5lab import cli, inference, shipped

    budget = BUDGETS[quick]
    rng = np.random.default_rng(3)
    if quick:
        stand_in = os.path.join(models_dir, "shipped_quick.keras")
        with training.keras_policy("mixed_bfloat16"):  # as the shipped models are stored
            files.save_model(restoration_model(budget["num_res_blocks"]), stand_in)
        paths = {task: stand_in for task in (tasks or ["denoising"])}
    else:
        paths = {task: shipped.model_path(task) for task in (tasks or shipped.available())}
    command_task = {task: name for name, task in cli.TASKS.items()}
    side = budget["shipped_image_side"]
    result = {}
    for task, path in paths.items():
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
        scale = SHIPPED_SCALE if task == "super_resolution" else None
        image = rng.uniform(0, 1, (side // (scale or 1), side // (scale or 1)))

        def restoring(model, image=image, task=task, scale=scale):
            return lambda: inference.restore_with(task, model, image, {"factor": scale})

        seconds = timing.timed(restoring(model), 3)
        # the same weights in float32 (sol5lab.pretrained(task, "float32")), beside the stored policy
        policy = training.stored_policy(model)
        float32 = None
        if policy != "float32":
            float32 = timing.timed(restoring(training.with_policy(model, "float32")), 3)
        shape = tuple(length // (scale or 1) for length in budget["photo_shape"])
        result[task] = {
            "image_side": side,
            "seconds": seconds,
            "policy": policy,
            "float32_seconds": float32,
            "photo": photo_restoration(
                shape, budget["photo_tile_pixels"], budget["photo_repeats"], path, rng=rng,
                task=command_task[task], scale=scale,
            ),
            "machine": timing.machine_info(),
        }  # fmt: skip
    return result


#: The sections ``--only`` measures alone, into an earlier whole run's results.
SECTIONS = {
    "photo": lambda quick, models_dir: photo(quick, models_dir),
    "architectures": lambda quick, models_dir: architectures(quick),
    "shipped": shipped_models,
}


def run(quick, full, models_dir):
    """Measure everything of the module's docstring with :data:`BUDGETS` ``[quick]``."""
    budget = BUDGETS[quick]
    depth = budget["num_res_blocks"]
    rng = np.random.default_rng(0)
    sol5.set_seed(0)
    started = time.perf_counter()

    def say(text):
        print(f"[benchmark {time.perf_counter() - started:5.0f} s] {text}", flush=True)

    result = {
        "command": "python -m sol5lab.experiments.benchmark"
        + (" --quick" if quick else "")
        + (" --full-training" if full else ""),
        "quick": quick,
        "budget": budget,
        "targets": TARGETS,
        "machine": timing.machine_info(),
    }
    result["matmul"] = timing.matmul_rate(budget["matmul_size"], budget["matmul_repeats"], rng=rng)
    reference = result["matmul"]["gflops"]["median"]
    say(f"matmul: {reference:.0f} GFLOP/s")
    result["training_step"] = {
        task: training_step(
            task, budget["batch_size"], budget["train_step_repeats"], reference, rng=rng, num_res_blocks=depth
        )
        for task in TASKS
    }
    say("training steps")
    result["data_loading"] = {
        task: data_loading(
            task, budget["batch_size"], budget["loader_batches"], budget["loader_repeats"], rng=rng
        )
        for task in TASKS
    }
    result["data_wait"] = {
        task: data_wait(
            task,
            budget["batch_size"],
            budget["fit_steps"],
            budget["fit_repeats"],
            budget["plain_fit_repeats"],
            rng=rng,
            num_res_blocks=depth,
        )
        for task in budget["data_wait_tasks"]
    }
    say("data loading")
    result["quick_mode"] = {
        task: quick_mode(task, budget["quick_mode_repeats"], depth) for task in budget["quick_mode_tasks"]
    }
    say("quick mode")
    result["restore_image"] = restore_sizes(
        budget["restore_sizes"],
        budget["restore_first_repeats"],
        budget["restore_repeated_repeats"],
        reference,
        rng=rng,
        num_res_blocks=depth,
    )
    say("restore_image")
    result["tiling"] = {
        "tiled": tiled_restoration(
            tuple(budget["tiled_size"]),
            budget["tiled_tile_pixels"],
            budget["tiled_repeats"],
            reference,
            rng=rng,
            num_res_blocks=depth,
        ),
        "check": tiling_check(
            tuple(budget["check_size"]), budget["check_tile_pixels"], rng=rng, num_res_blocks=depth
        ),
    }
    say("tiling")
    result["deep_prior"] = deep_prior(
        budget["deep_prior_size"],
        budget["deep_prior_iterations"],
        budget["deep_prior_repeats"],
        rng=rng,
        settings=budget["deep_prior_settings"],
    )
    say("deep prior")
    result["mixed_precision"] = mixed_precision_step_ratio(
        "denoising",
        budget["mixed_precision_batch_size"],
        budget["mixed_precision_repeats"],
        rng=rng,
        num_res_blocks=depth,
    )
    say("mixed precision")
    result["architectures"] = architectures(quick)
    say("architectures")
    result["photo"] = photo(quick, models_dir) if budget["photo_section"] else None
    say("photograph")
    result["shipped"] = shipped_models(quick, models_dir)
    say("shipped models")
    result["full_training"] = full_training(budget["full_training_repeats"]) if full else None
    result["total_seconds"] = time.perf_counter() - started
    return result


def check_shipped_tasks(parser, args):
    """Exit with a usage error unless ``--shipped-task`` comes with ``--only shipped`` and names
    shipped models (any task in quick mode, which times a stand-in)."""
    from sol5lab import shipped

    if args.only != "shipped":
        parser.error("--shipped-task times one shipped model: give it with --only shipped")
    unknown = sorted(set(args.shipped_task) - set(shipped.available()))
    if unknown and not args.quick:
        parser.error(
            f"--shipped-task {' '.join(unknown)}: no such shipped model; "
            f"shipped: {', '.join(shipped.available()) or 'none'}"
        )


def main(argv=None):
    """Run the benchmark; see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes and few repetitions: a smoke test")
    parser.add_argument(
        "--full-training", action="store_true", help="also time the full learn_*_model() (minutes)"
    )
    parser.add_argument(
        "--only",
        choices=sorted(SECTIONS),
        help="measure this section alone and put it into the results an earlier run wrote",
    )
    parser.add_argument(
        "--shipped-task",
        action="append",
        metavar="TASK",
        help="with --only shipped: time this shipped model alone (repeatable); the others' rows stay",
    )
    parser.add_argument("--results-dir", default=sol5_utils.relpath("results"))
    parser.add_argument("--models-dir", default=sol5_utils.relpath("models"))
    args = parser.parse_args(argv)
    if args.shipped_task:
        check_shipped_tasks(parser, args)
    if args.only:
        # one section, measured in full, joins the results of an earlier whole run
        path = os.path.join(args.results_dir, files.variant("benchmark", args.quick) + ".json")
        if not os.path.exists(path):
            parser.error(f"--only {args.only} adds to {path}, which a whole run writes first")
        # the section's budget and target join the earlier run's, which stay as they were
        result = files.read_json(path)
        result["budget"] = {
            **result["budget"],
            **{k: v for k, v in BUDGETS[args.quick].items() if k.startswith(args.only)},
        }
        result["targets"] = {
            **result["targets"],
            **{k: v for k, v in TARGETS.items() if k.startswith(args.only)},
        }
        if args.shipped_task:
            # one model at a time (each takes minutes), beside the rows of the others
            measured = shipped_models(args.quick, args.models_dir, args.shipped_task)
            result["shipped"] = dict(sorted({**(result.get("shipped") or {}), **measured}.items()))
        else:
            result[args.only] = SECTIONS[args.only](args.quick, args.models_dir)
            # a section measured later may be measured elsewhere: its rows name the machine if so
            result.setdefault("section_machines", {})[args.only] = timing.machine_info()
    else:
        result = run(args.quick, args.full_training, args.models_dir)
        # The committed benchmark times the full trainings too: without them a run is partial.
        kind = files.run_kind(args.quick, partial=not args.full_training)
        path = os.path.join(args.results_dir, files.variant("benchmark", kind) + ".json")
    files.write_json(path, result)
    print()
    print(benchmark_report.markdown_table(result))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
