"""What a deformable convolution costs here: a training step against a plain convolution's.

The seed paper ``002_*`` puts deformable convolutions in front of its LKA blocks. Ours
(:mod:`sol5lab.networks.deformable`) is written in ``keras.ops`` only: a convolution predicts
the offsets, four gathers sample the input bilinearly, an einsum applies the kernel. This
times, on the Keras backend in use, one training step (``train_on_batch``, mean squared error,
Adam) of

- a single 3x3 layer of the denoising network's width on its patches and batch: a
  ``DeformableConv2D`` against a ``Conv2D`` of the same size;
- the whole default LKA-ResNet without and with one deformable block, as the comparison would
  train it (:mod:`sol5lab.experiments.architectures`).

Run ``python -m sol5lab.experiments.deformable_timing`` (and again with ``KERAS_BACKEND=jax``):
each backend's figures are kept side by side in ``results/deformable_timing.json``; ``--quick``
times a tiny batch into ``results/deformable_timing_quick.json``.
"""

import argparse
import os
import sys

import keras
import numpy as np

import sol5
import sol5_utils
from sol5lab import arguments, files, networks, tasks, timing, training

#: The task whose patch size, width and batch are timed.
TASK = "denoising"


def _train_step_seconds(model, batch, repeats):
    """Median seconds of ``train_on_batch`` on a fixed random batch, after one warm-up step."""
    rng = np.random.default_rng(0)
    source = rng.uniform(-0.5, 0.5, (batch, *model.input_shape[1:])).astype("float32")
    target = rng.uniform(-0.5, 0.5, (batch, *model.output_shape[1:])).astype("float32")
    sol5.compile_for_training(model)
    return timing.timed(lambda: model.train_on_batch(source, target), repeats, warmup=2)


def measure(*, batch, repeats):
    """Time the layers and the networks; return the JSON-ready figures of this backend."""
    settings = tasks.training_settings(TASK)
    height, width = settings["crop_size"]
    channels = settings["num_channels"]
    sol5.set_seed(0)
    inputs = keras.Input((height, width, channels))
    layers_timed = {
        "conv2d": keras.Model(inputs, keras.layers.Conv2D(channels, 3, padding="same")(inputs)),
        "deformable_conv2d": keras.Model(inputs, networks.DeformableConv2D(channels, 3)(inputs)),
    }
    result = {"task": TASK, "batch": batch, "patch": [height, width], "channels": channels, "layers": {}}
    for name, model in layers_timed.items():
        seconds = _train_step_seconds(model, batch, repeats)
        result["layers"][name] = {
            "parameters": model.count_params(),
            "flops_per_pixel": timing.conv_flops(model, 1, 1, 1),
            "train_step_seconds": seconds,
        }
    result["layers"]["slowdown"] = (
        result["layers"]["deformable_conv2d"]["train_step_seconds"]["median"]
        / result["layers"]["conv2d"]["train_step_seconds"]["median"]
    )
    result["networks"] = {}
    for blocks in (0, 1):
        model = networks.build(
            "lka_resnet",
            height,
            width,
            **training.network_settings(TASK, "lka_resnet", overrides={"num_deformable_blocks": blocks}),
        )
        result["networks"][f"lka_resnet, {blocks} deformable block{'s' if blocks != 1 else ''}"] = {
            "parameters": model.count_params(),
            "flops_per_pixel": timing.conv_flops(model, 1, 1, 1),
            "train_step_seconds": _train_step_seconds(model, batch, repeats),
        }
    return result


def main(argv=None):
    """Time this backend and merge its figures into the results file; see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny batch, for a smoke test")
    parser.add_argument(
        "--repeats", type=arguments.positive_int, default=None, help="timed steps (default 10, quick 2)"
    )
    parser.add_argument("--results-dir", default=sol5_utils.relpath("results"))
    args = parser.parse_args(argv)
    batch = 4 if args.quick else tasks.training_settings(TASK)["batch_size"]
    repeats = args.repeats or (2 if args.quick else 10)
    path = files.variant(os.path.join(args.results_dir, "deformable_timing"), args.quick) + ".json"
    results = files.read_json(path) if os.path.exists(path) else {"backends": {}}
    backend = keras.backend.backend()
    results["backends"][backend] = {
        "command": " ".join(
            ["python -m sol5lab.experiments.deformable_timing", *(argv if argv is not None else sys.argv[1:])]
        ),
        "machine": timing.machine_info(),
        **measure(batch=batch, repeats=repeats),
        # Other processes on the cores slow every figure: the load says how busy they were.
        "load_average_after": list(os.getloadavg()),
    }
    files.write_json(path, results)
    entry = results["backends"][backend]
    print(f"{backend}: training step of one 3x3 layer, {entry['channels']} channels, batch {batch}:")
    for name, row in {**entry["layers"], **entry["networks"]}.items():
        if name != "slowdown":
            milliseconds = row["train_step_seconds"]["median"] * 1e3
            print(f"  {name}: {milliseconds:.1f} ms a step, {row['parameters']} parameters")
    print(f"  the deformable layer is {entry['layers']['slowdown']:.1f} times slower")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
