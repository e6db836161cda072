"""Long trainings that survive being killed: a replayable data stream, checkpoints and an ETA.

The strong models (:mod:`sol5lab.recipes`) train for hours on 2 cores, longer than a working
session, so their training must stop and start again anywhere without changing its result.
Three things make it so:

- **The data stream is a function of the step.** :class:`PatchStream` draws batch ``i`` from a
  generator seeded by ``(seed, i)`` alone, so the position of the stream is the step count and a
  resumed run sees exactly the batches an uninterrupted one would.
- **A checkpoint is one file.** The model, its optimizer (moments, step count, learning-rate
  schedule) and the run's state (step, validation curve, best score, time spent) are saved
  together by :func:`sol5lab.store.save_trained`: one atomic rename, so a SIGKILL leaves the
  previous checkpoint or the new one, never a model beside another step's state.
- **The training step is deterministic** on one backend with one thread count, so replaying the
  same batches from the same weights and optimizer gives the same weights, bit for bit on
  TensorFlow (tested).

A checkpoint also moves between machines that train under different dtype policies
(``policy=``): a machine without native bfloat16 trains in float32 (see
:func:`sol5lab.training.compute_policy`), and the weights and the optimizer's state carry over
unchanged, since mixed precision keeps both in float32. The record lists each policy and the step
it began at; the same-result guarantee holds within one policy.

:func:`train` validates every ``round_steps`` steps on fixed held-out patches, keeps the best
model, stops when the validation PSNR has not improved for ``patience`` rounds (or at
``max_steps``), checkpoints at every round and at least every ``checkpoint_seconds``, and prints
its progress with an ETA. With a ``keras.distribution`` (e.g. ``DataParallel`` on the JAX
backend) the same code trains across devices.

A training is paused with SIGTSTP (Ctrl-Z, or ``kill -TSTP PID``) and goes on with SIGCONT
(``fg``, ``kill -CONT PID``): it stops after the step under way, and the pause is not counted
as training time (:class:`TrainingClock`). A SIGSTOP cannot be seen, so its pause would be.
"""

import concurrent.futures
import contextlib
import functools
import math
import os
import signal
import threading
import time

import keras
import numpy as np

import sol5
from sol5lab import store

#: The longest a run goes between checkpoints when its rounds are long: 5 minutes, half the
#: 10 minutes a killed job may lose at most.
CHECKPOINT_SECONDS = 300.0

#: The checkpoint's and the best model's file names in a run's folder.
CHECKPOINT_FILE = "checkpoint.keras"
BEST_FILE = "best.keras"

#: The eight symmetries of a square (4 rotations, each flipped or not); a non-square patch
#: keeps the four that keep its shape.
SQUARE_SYMMETRIES = 8


class PatchStream:
    """Batches of (corrupted, clean) patch pairs, batch ``i`` a function of ``(seed, i)`` only.

    For each sample: pick an image, take a random crop of three times the patch (or the largest
    that fits), corrupt it (a blur reaches beyond a patch), take a random patch at the same
    place from both, and, with ``augment``, apply one of the square's symmetries to both.

    Parameters
    ----------
    images : sequence of str
        Paths of clean training images, each at least ``crop_size``.
    corruption : callable
        ``(image, rng) -> image``: a 2-D float64 array in [0, 1] and a ``numpy.random.Generator``
        in, the randomly corrupted array of the same shape out, in [0, 1].
    crop_size : tuple of int
        ``(height, width)`` of the patches.
    batch_size : int
        Patch pairs per batch.
    seed : int
        The stream's seed.
    augment : bool, optional
        Apply a random flip and rotation (by 90 degrees where the patch is square).
    """

    def __init__(self, images, corruption, crop_size, batch_size, *, seed, augment=True):
        self.images = sol5.check_paths(images, "images")
        if not self.images:
            raise ValueError("images is empty: give at least one training image.")
        if not callable(corruption):
            raise TypeError(f"corruption must be callable, got {type(corruption).__name__}.")
        self.corruption = corruption
        self.crop_size = tuple(sol5.check_int(side, "crop_size") for side in crop_size)
        self.batch_size = sol5.check_int(batch_size, "batch_size")
        self.seed = sol5.check_int(seed, "seed", 0)
        self.augment = bool(augment)
        self._cache = {}

    def _image(self, index):
        """The image ``index`` as a float64 array in [0, 1], read once."""
        if index not in self._cache:
            path = self.images[index]
            image = sol5.read_image(path, sol5.GRAYSCALE)
            if image.shape[0] < self.crop_size[0] or image.shape[1] < self.crop_size[1]:
                raise ValueError(
                    f"{path} is {image.shape[0]}x{image.shape[1]} pixels, smaller than the "
                    f"{self.crop_size[0]}x{self.crop_size[1]} patches: remove it or use smaller patches."
                )
            self._cache[index] = image
        return self._cache[index]

    def _pair(self, rng):
        """One (corrupted, clean) patch pair, each ``crop_size``, in [0, 1]."""
        image = self._image(int(rng.integers(len(self.images))))
        window = [min(3 * side, limit) for side, limit in zip(self.crop_size, image.shape, strict=True)]
        top, left = (
            int(rng.integers(limit - side + 1)) for limit, side in zip(image.shape, window, strict=True)
        )
        clean = image[top : top + window[0], left : left + window[1]]
        corrupted = np.asarray(self.corruption(clean.copy(), rng), dtype=np.float64)
        if corrupted.shape != clean.shape or not np.isfinite(corrupted).all():
            raise ValueError("the corruption must return a finite image of its input's shape.")
        top, left = (
            int(rng.integers(limit - side + 1)) for limit, side in zip(window, self.crop_size, strict=True)
        )
        patch = (slice(top, top + self.crop_size[0]), slice(left, left + self.crop_size[1]))
        pair = corrupted[patch], clean[patch]
        if self.augment:
            square = self.crop_size[0] == self.crop_size[1]
            symmetry = int(rng.integers(SQUARE_SYMMETRIES if square else SQUARE_SYMMETRIES // 2))
            pair = tuple(apply_symmetry(part, symmetry, square) for part in pair)
        return pair

    def batch(self, index):
        """Return batch ``index`` (a non-negative int).

        Returns
        -------
        source, target : numpy.ndarray
            float32 arrays of shape ``(batch_size, height, width, 1)`` in [-0.5, 0.5]: the
            corrupted patches and their clean originals, ``sol5.restore_image``'s convention.
        """
        rng = np.random.default_rng([self.seed, sol5.check_int(index, "index", 0)])
        pairs = [self._pair(rng) for _ in range(self.batch_size)]
        source, target = (np.stack([pair[part] for pair in pairs])[..., None] for part in (0, 1))
        return (source - sol5.PIXEL_OFFSET).astype(np.float32), (target - sol5.PIXEL_OFFSET).astype(
            np.float32
        )


def apply_symmetry(patch, symmetry, square=True):
    """Apply symmetry number ``symmetry`` of the square to a 2-D ``patch``.

    ``symmetry % 4`` quarter turns for a square patch (half turns, ``2 * (symmetry % 2)``,
    otherwise), then a left-right flip when ``symmetry >= 4`` (``>= 2`` for a non-square one).
    """
    turns, flip = (symmetry % 4, symmetry >= 4) if square else (2 * (symmetry % 2), symmetry >= 2)
    patch = np.rot90(patch, turns)
    return np.ascontiguousarray(patch[:, ::-1] if flip else patch)


def validation_psnr(model, batches):
    """The PSNR (dB, pixels in [0, 1]) of ``model`` on fixed ``(source, target)`` batches.

    The mean squared error over every pixel of every batch, as a PSNR: the score Keras'
    ``val_loss`` gives, in decibels.
    """
    return _pairs_psnr(
        (keras.ops.convert_to_numpy(model(source, training=False)), target) for source, target in batches
    )


def input_psnr(batches):
    """The PSNR (dB) of the corrupted sources themselves on fixed ``(source, target)`` batches,
    as :func:`validation_psnr` scores a model's outputs: the baseline its curve must rise above."""
    return _pairs_psnr(batches)


def _pairs_psnr(pairs):
    """The PSNR of ``(output, target)`` pairs of arrays, over every pixel of every pair."""
    squared, count = 0.0, 0
    for output, target in pairs:
        squared += float(np.sum((np.asarray(output, dtype=np.float64) - target) ** 2))
        count += target.size
    return -10 * math.log10(squared / count)


class TrainingClock:
    """Seconds of training since it was made: the wall time less the time it was paused.

    Parameters
    ----------
    now : callable, optional
        ``() -> float``, seconds of a monotonic clock (``time.perf_counter`` by default).
    """

    def __init__(self, now=time.perf_counter):
        self._now = now
        self._start = now()
        self._paused_seconds = 0.0
        self._paused_at = None

    def pause(self):
        """Stop counting (again while paused: no change)."""
        if self._paused_at is None:
            self._paused_at = self._now()

    def resume(self):
        """Count again from now (when not paused: no change)."""
        if self._paused_at is not None:
            self._paused_seconds += self._now() - self._paused_at
            self._paused_at = None

    def elapsed(self):
        """Seconds counted so far (float)."""
        until = self._paused_at if self._paused_at is not None else self._now()
        return until - self._start - self._paused_seconds


@contextlib.contextmanager
def pausable(clock):
    """Within the block, SIGTSTP pauses ``clock`` and stops the process; SIGCONT resumes it.

    The previous handlers come back after the block. Outside the main thread, or where the
    system has no SIGTSTP (Windows), nothing is installed: the clock then counts any pause.
    """
    if not hasattr(signal, "SIGTSTP") or threading.current_thread() is not threading.main_thread():
        yield clock
        return

    def on_stop(signum, frame):
        clock.pause()
        os.kill(os.getpid(), signal.SIGSTOP)

    def on_continue(signum, frame):
        clock.resume()

    previous = {number: signal.getsignal(number) for number in (signal.SIGTSTP, signal.SIGCONT)}
    signal.signal(signal.SIGTSTP, on_stop)
    signal.signal(signal.SIGCONT, on_continue)
    try:
        yield clock
    finally:
        for number, handler in previous.items():
            # None: a handler installed outside Python, which cannot be put back; the default is
            signal.signal(number, signal.SIG_DFL if handler is None else handler)


def _format_seconds(seconds):
    """``seconds`` as ``1h02m``, ``3m05s`` or ``12s``."""
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


def progress_line(step, max_steps, seconds, steps_done_here, seconds_here, loss, curve):
    """One line of progress: the step, the loss, the validation PSNR, the time, the ETA.

    The ETA extrapolates this process' own rate (``steps_done_here`` in ``seconds_here``) to
    ``max_steps``: the most the run can take, since it may stop earlier on its plateau.
    """
    rate = steps_done_here / seconds_here if seconds_here > 0 else math.nan
    eta = (max_steps - step) / rate if rate > 0 else math.nan
    best = max((point["val_psnr"] for point in curve), default=math.nan)
    latest = curve[-1]["val_psnr"] if curve else math.nan
    return (
        f"step {step}/{max_steps} ({100 * step / max_steps:.0f}%) | loss {loss:.3g} | "
        f"val {latest:.2f} dB (best {best:.2f}) | {rate:.2f} steps/s | "
        f"trained {_format_seconds(seconds)} | ETA {_format_seconds(eta) if math.isfinite(eta) else '?'}"
    )


def layer_policy(model):
    """The dtype policy's name of ``model``'s first layer with weights (a functional model's own
    policy is float32 whatever its layers compute in)."""
    return next(layer.dtype_policy.name for layer in model.layers if layer.weights)


def carry_over(source, target):
    """Copy ``source``'s weights and optimizer state (moments, step count) into ``target``, a
    compiled model of the same network under another dtype policy; return ``target``.

    Raises
    ------
    ValueError
        When ``target`` is not compiled, or the two differ in their weights or optimizer
        variables.
    """
    if getattr(target, "optimizer", None) is None:
        raise ValueError("build_model must return a compiled model (with its optimizer)")
    if not target.optimizer.built:  # Keras makes the moments at the first step
        target.optimizer.build(target.trainable_variables)
    pairs = [(source.weights, target.weights), (source.optimizer.variables, target.optimizer.variables)]
    if not all(_same_shapes(*pair) for pair in pairs):
        raise ValueError("the checkpoint's network or optimizer differs from the one build_model builds")
    for pair in pairs:
        _assign(*pair)
    return target


def copy_weights(source, target):
    """Copy ``source``'s weights into ``target``, a model of the same network (its optimizer
    untouched); return ``target``.

    Raises
    ------
    ValueError
        When the two networks' weights differ in number or shape.
    """
    if not _same_shapes(source.weights, target.weights):
        raise ValueError(
            f"cannot copy the weights of a network of {source.count_params()} parameters into one of "
            f"{target.count_params()} parameters: the networks differ"
        )
    _assign(source.weights, target.weights)
    return target


def _same_shapes(from_variables, to_variables):
    """Whether two lists of Keras variables match one for one in shape."""
    return [tuple(v.shape) for v in from_variables] == [tuple(v.shape) for v in to_variables]


def _assign(from_variables, to_variables):
    """Assign each of ``from_variables`` to its counterpart in ``to_variables``."""
    for from_variable, to_variable in zip(from_variables, to_variables, strict=True):
        to_variable.assign(from_variable)


def _start_or_resume(build_model, checkpoint, config, log, policy, initialise=None):
    """Return ``(model, state)``: the checkpoint's when it matches ``config`` (carried over to a
    model of ``build_model`` when it computes under another ``policy``), else fresh ones (set by
    ``initialise``, when given)."""
    model, state = _load_or_build(build_model, checkpoint, config, log)
    if state["step"] == 0 and initialise is not None and "initialised_from" not in state:
        state["initialised_from"] = initialise(model)
        log(f"starting from {state['initialised_from']['source']}")
    policies = state.setdefault("policies", [{"step": 0, "policy": layer_policy(model)}])
    if policy is not None and policy != policies[-1]["policy"]:
        log(f"carrying the checkpoint over from {policies[-1]['policy']} to {policy}")
        model = carry_over(model, build_model())
        if policies[-1]["step"] == state["step"]:
            policies.pop()  # the last policy trained no step
        policies.append({"step": state["step"], "policy": policy})
    return model, state


def _check_config(record, checkpoint, config):
    """Raise ValueError, naming ``checkpoint``, when its ``record`` is of another training."""
    if record.get("config") != config:
        raise ValueError(
            f"{checkpoint} is the checkpoint of another training (its config differs); "
            f"delete its folder, or give this run another folder."
        )


def _load_or_build(build_model, checkpoint, config, log):
    """Return ``(model, state)``: the checkpoint's when it matches ``config``, else fresh ones."""
    if os.path.exists(checkpoint):
        try:
            record = store.read_record(checkpoint)
        except store.StoredModelError as error:
            log(f"not resuming: {error} Starting again.")
        else:
            _check_config(record, checkpoint, config)
            model = keras.saving.load_model(checkpoint, compile=True, safe_mode=True)
            log(f"resuming at step {record['state']['step']} from {checkpoint}")
            return model, record["state"]
    model = build_model()
    return model, {"step": 0, "seconds": 0.0, "curve": [], "best_step": 0, "stopped": None}


def _close_round(
    model, state, validation_batches, loss, best, config, patience, max_steps, min_improvement_db
):
    """Score the round, keep the model at ``best`` if it is the best so far, and decide whether
    training stops (``state["stopped"]``); ``state`` is updated in place."""
    psnr = validation_psnr(model, validation_batches)
    best_psnr = max(
        (point["val_psnr"] for point in state["curve"] if point["step"] == state["best_step"]),
        default=-math.inf,
    )
    state["curve"].append(
        {"step": state["step"], "seconds": state["seconds"], "loss": loss, "val_psnr": psnr}
    )
    if psnr >= best_psnr + min_improvement_db:
        state["best_step"] = state["step"]
        store.save_trained(model, best, {"config": config, "state": state})
    rounds_since_best = sum(point["step"] > state["best_step"] for point in state["curve"])
    if rounds_since_best >= patience:
        state["stopped"] = "plateau"
    elif state["step"] >= max_steps:
        state["stopped"] = "max_steps"


def best_so_far(directory, config):
    """Return ``(model, record)`` of a training under way in ``directory``: the best model so far
    (``best.keras``) and the record of its last checkpoint (``state["stopped"]`` is None while it
    can go on), to use or ship before it ends.

    Raises
    ------
    FileNotFoundError
        When ``directory`` holds no checkpoint or no best model yet.
    ValueError
        When its checkpoint is another training's (its config differs from ``config``).
    """
    checkpoint, best = os.path.join(directory, CHECKPOINT_FILE), os.path.join(directory, BEST_FILE)
    for path in (checkpoint, best):
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{path}: no such file; the training has not finished a round yet")
    record = store.read_record(checkpoint)
    _check_config(record, checkpoint, config)
    return keras.saving.load_model(best, compile=False, safe_mode=True), record


def train(
    build_model,
    stream,
    validation_batches,
    *,
    directory,
    config,
    max_steps,
    round_steps,
    patience,
    min_improvement_db=0.01,
    checkpoint_seconds=CHECKPOINT_SECONDS,
    distribution=None,
    on_step=None,
    log=None,
    policy=None,
    initialise=None,
):
    """Train a model resumably until its validation PSNR stops improving.

    Parameters
    ----------
    build_model : callable
        ``() -> keras.Model``, compiled (its optimizer, learning-rate schedule and loss), for a
        fresh start; a resumed run loads the checkpoint instead.
    stream : PatchStream
        The training batches; step ``i`` trains on ``stream.batch(i)``.
    validation_batches : list of (numpy.ndarray, numpy.ndarray)
        Fixed held-out ``(source, target)`` batches, scored after every round.
    directory : str
        The run's folder: ``checkpoint.keras`` and ``best.keras`` go there.
    config : dict
        JSON-ready, what identifies the run; a checkpoint with another config is refused.
    max_steps : int
        The most steps to train.
    round_steps : int
        Steps between validations (and checkpoints).
    patience : int
        Stop after this many rounds in a row without a validation PSNR ``min_improvement_db``
        above the best so far.
    min_improvement_db : float, optional
    checkpoint_seconds : float, optional
        Also checkpoint within a round once this much time has passed since the last one.
    distribution : keras.distribution.Distribution, optional
        Build, load and train inside its scope, e.g. ``keras.distribution.DataParallel()``.
    on_step : callable, optional
        ``(step) -> None``, called after every training step (progress bars, tests).
    log : callable, optional
        Where the progress lines go; printed (flushed, for a log file) by default.
    policy : str, optional
        The dtype policy ``build_model`` builds under; a checkpoint trained under another is
        carried over to it (:func:`carry_over`).
    initialise : callable, optional
        ``(model) -> dict``: sets a fresh start's weights (e.g. :func:`copy_weights` from another
        trained model) and returns, JSON-ready, what they came from (with a ``source``: its
        name), kept as the state's ``initialised_from``. A resumed run does not call it.

    Returns
    -------
    model : keras.Model
        The best model (the highest validation PSNR).
    record : dict
        ``config`` and ``state``: ``step`` (steps trained), ``seconds`` (training time, across
        resumptions), ``curve`` (after each round: ``step``, ``seconds``, ``loss``, ``val_psnr``),
        ``best_step``, ``stopped`` (``"plateau"`` or ``"max_steps"``), ``policies`` (each
        dtype policy trained under, from the ``step`` it began at) and, where ``initialise`` set
        the first weights, ``initialised_from``.
    """
    log = log or functools.partial(print, flush=True)
    max_steps = sol5.check_int(max_steps, "max_steps")
    round_steps = sol5.check_int(round_steps, "round_steps")
    patience = sol5.check_int(patience, "patience")
    checkpoint = os.path.join(directory, CHECKPOINT_FILE)
    best = os.path.join(directory, BEST_FILE)
    scope = distribution.scope() if distribution is not None else contextlib.nullcontext()
    with scope, pausable(TrainingClock()) as clock:
        model, state = _start_or_resume(build_model, checkpoint, config, log, policy, initialise)
        loaded = clock.elapsed()  # loading the checkpoint is not training

        def seconds_here():
            return clock.elapsed() - loaded

        steps_here, last_save = 0, seconds_here()
        if state["stopped"] == "max_steps" and state["step"] < max_steps:
            state["stopped"] = None  # a finished run given more steps goes on
        base_seconds = state["seconds"]
        loss = math.nan
        # the next batch is drawn in a thread while the model trains on this one: batch i is a
        # function of i alone, so drawing ahead changes nothing but the time
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as prefetch:
            upcoming = prefetch.submit(stream.batch, state["step"])
            while state["stopped"] is None:
                source, target = upcoming.result()
                upcoming = prefetch.submit(stream.batch, state["step"] + 1)
                loss = float(np.asarray(model.train_on_batch(source, target)))
                if not math.isfinite(loss):
                    raise FloatingPointError(
                        f"the training loss became {loss} at step {state['step'] + 1}; the last "
                        f"checkpoint ({checkpoint}) is the model before it: lower the learning rate."
                    )
                state["step"] += 1
                steps_here += 1
                state["seconds"] = base_seconds + seconds_here()
                if on_step is not None:
                    on_step(state["step"])
                end_of_round = state["step"] % round_steps == 0 or state["step"] >= max_steps
                if end_of_round:
                    _close_round(model, state, validation_batches, loss, best, config, patience, max_steps,
                                 min_improvement_db)  # fmt: skip
                    log(progress_line(
                        state["step"], max_steps, state["seconds"], steps_here, seconds_here(),
                        loss, state["curve"],
                    ))  # fmt: skip
                if end_of_round or seconds_here() - last_save >= checkpoint_seconds:
                    store.save_trained(model, checkpoint, {"config": config, "state": state})
                    last_save = seconds_here()
        best_model = keras.saving.load_model(best, compile=False, safe_mode=True)
    log(f"stopped ({state['stopped']}) at step {state['step']}; best at step {state['best_step']}")
    return best_model, {"config": config, "state": state}
