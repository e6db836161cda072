"""Measuring speed and memory: medians of repeated timings, peak memory, the machine, and the
yardstick every figure is compared with (a large matrix product), with the FLOP counts of the
assignment's network. The benchmark (:mod:`sol5lab.experiments.benchmark`) is built on these."""

import contextlib
import importlib.metadata
import os
import platform
import time

import keras
import numpy as np


def median_summary(values):
    """Return the median, minimum, maximum and count of measurements."""
    values = [float(value) for value in values]
    return {
        "median": float(np.median(values)),
        "min": min(values),
        "max": max(values),
        "repeats": len(values),
    }


def timed(function, repeats, *, warmup=1):
    """Call ``function`` ``warmup`` times, then time ``repeats`` calls; return their summary."""
    for _ in range(warmup):
        function()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - start)
    return median_summary(seconds)


def per_second(amount, seconds):
    """Turn a summary of seconds into one of ``amount`` per second (the slowest run is the min)."""
    return {
        "median": amount / seconds["median"],
        "min": amount / seconds["max"],
        "max": amount / seconds["min"],
        "repeats": seconds["repeats"],
    }


def scaled(summary, factor):
    """Multiply a summary's figures by a positive ``factor`` (seconds per batch from seconds)."""
    return {**{key: summary[key] * factor for key in ("median", "min", "max")}, "repeats": summary["repeats"]}


def _status_mb(field):
    """Return a memory figure of this process from /proc/self/status, in MB (None off Linux)."""
    with contextlib.suppress(OSError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return None


def _reset_peak_rss():
    """Lower the process's peak RSS (VmHWM) to its current RSS; True where Linux allows it."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


@contextlib.contextmanager
def peak_memory():
    """Measure the peak resident memory of the block, above the memory at its start.

    The kernel keeps one high-water mark per process (VmHWM). Where it can be reset at the start
    (Linux's ``clear_refs``), ``peak_above_start_mb`` is exactly the block's peak above its start.
    Where it cannot, only a new high-water mark shows, so callers measure from small to large.

    Yields
    ------
    dict
        Filled on exit: ``peak_above_start_mb``, ``peak_rss_growth_mb`` (how much the process's
        high-water mark rose) and ``high_water_mark_reset``.
    """
    record = {}
    reset = _reset_peak_rss()
    start_rss, start_peak = _status_mb("VmRSS"), _status_mb("VmHWM")
    yield record
    end_peak = _status_mb("VmHWM")
    known = None not in (start_rss, start_peak, end_peak)
    record.update(
        peak_above_start_mb=end_peak - start_rss if known else None,
        peak_rss_growth_mb=end_peak - start_peak if known else None,
        high_water_mark_reset=reset,
    )


def process_peak_mb():
    """Return the process's peak resident memory so far (VmHWM), in MB; None off Linux."""
    return _status_mb("VmHWM")


def machine_info():
    """Return what the figures depend on: cores, CPU and its vector flags, backend and versions."""
    model, flags = platform.processor() or None, set()
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
                break
    packages = {}
    for name in ("tensorflow", "tensorflow-cpu", "jax", "jaxlib", "torch"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            packages[name] = importlib.metadata.version(name)
    return {
        "cpu_count": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": model,
        "cpu_flags": {
            **{flag: flag in flags for flag in ("avx2", "avx512f", "avx512_bf16", "fma")},
            "amx": any(flag.startswith("amx") for flag in flags),
        },
        "platform": platform.platform(),
        "python": platform.python_version(),
        "keras_backend": keras.backend.backend(),
        "keras": keras.__version__,
        "numpy": np.__version__,
        "packages": packages,
    }


def matmul_rate(size, repeats, *, rng, dtype="float32"):
    """Time ``keras.ops.matmul`` of two ``size`` x ``size`` matrices: the yardstick.

    The operands are converted to the backend's tensors of ``dtype`` (``"float32"`` or
    ``"bfloat16"``) once, outside the timing; the product is brought back with
    ``convert_to_numpy``, which waits for it on backends that compute lazily.

    Returns
    -------
    dict
        ``size``, ``dtype``, ``gflop`` (``2 * size**3`` operations), ``seconds`` and ``gflops``
        summaries.
    """
    left, right = (
        keras.ops.cast(rng.standard_normal((size, size), dtype=np.float32), dtype) for _ in range(2)
    )
    seconds = timed(lambda: keras.ops.convert_to_numpy(keras.ops.matmul(left, right)), repeats)
    gflop = 2 * size**3 / 1e9
    return {
        "size": size,
        "dtype": dtype,
        "gflop": gflop,
        "seconds": seconds,
        "gflops": per_second(gflop, seconds),
    }


def conv_flops(model, batch, height, width):
    """Count the floating-point operations of ``model``'s convolutions in one forward pass.

    A ``Conv2D`` with a ``kh`` x ``kw`` kernel from ``Cin`` to ``Cout`` channels does, at stride 1
    with "same" padding, ``kh * kw * Cin * Cout`` multiply-adds per output pixel: ``2 * H * W *
    kh * kw * Cin * Cout`` operations per sample; a transposed convolution the same, a depthwise
    one ``kh * kw * Cin`` (times its multiplier). A layer with a ``flops_per_pixel()`` method
    (those of :mod:`sol5lab.networks` that are not plain convolutions) counts itself. The biases,
    ReLUs and sums (one operation per value each) are left out: they are well under 1% of the
    assignment's network.

    Parameters
    ----------
    model : keras.Model
        A built, fully convolutional model at full resolution, such as ``sol5.build_nn_model``'s.
    batch : int
        Samples.
    height, width : int
        Size of each sample.

    Returns
    -------
    int
        Operations (a multiply-add counts two).
    """
    per_pixel = 0
    for layer in model.layers:
        if hasattr(layer, "layers"):  # a nested model
            per_pixel += conv_flops(layer, 1, 1, 1)
        elif hasattr(layer, "flops_per_pixel"):  # a layer that counts itself (sol5lab.networks)
            per_pixel += layer.flops_per_pixel()
        elif isinstance(layer, keras.layers.DepthwiseConv2D):
            kernel_height, kernel_width, channels_in, multiplier = layer.kernel.shape
            per_pixel += 2 * kernel_height * kernel_width * channels_in * multiplier
        elif isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
            # A transposed convolution's kernel is (kh, kw, out, in): the product is the same.
            kernel_height, kernel_width, channels_in, channels_out = layer.kernel.shape
            per_pixel += 2 * kernel_height * kernel_width * channels_in * channels_out
    return int(per_pixel) * int(batch) * int(height) * int(width)


def training_step_flops(model, batch, height, width):
    """Operations of one training step: the forward pass, then the gradients of the inputs and of
    the weights, each about as costly as the forward pass, hence the usual 3x."""
    return 3 * conv_flops(model, batch, height, width)
