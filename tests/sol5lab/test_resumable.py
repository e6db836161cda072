"""Resumable training: the replayable stream, checkpoints, SIGKILL, plateaus, several devices."""

import json
import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

import sol5
from sol5lab import networks, resumable, store, training

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def noisy(image, rng):
    return sol5.add_gaussian_noise(image, 0.0, 0.2, rng=rng)


def untouched(image, rng):
    return image


def stream(image_files, seed=3, corruption=noisy, **kwargs):
    return resumable.PatchStream(image_files, corruption, (16, 16), 4, seed=seed, **kwargs)


def build(learning_rate=1e-3, policy="float32"):
    """A small compiled network with a learning-rate schedule (its state must resume too)."""

    def builder():
        keras.utils.set_random_seed(0)
        with training.keras_policy(policy):
            model = networks.build("resnet", num_channels=8, num_res_blocks=1)
            schedule = keras.optimizers.schedules.CosineDecay(learning_rate, 12)
            model.compile(loss="mean_squared_error", optimizer=keras.optimizers.Adam(schedule, beta_2=0.9))
        return model

    return builder


def train(image_files, directory, max_steps, **kwargs):
    options = {"round_steps": 3, "patience": 100, "config": {"run": "test"}, "log": lambda line: None}
    validation = [stream(image_files, seed=99, augment=False).batch(0)]
    return resumable.train(
        kwargs.pop("builder", build()),
        stream(image_files),
        validation,
        directory=str(directory),
        max_steps=max_steps,
        **{**options, **kwargs},
    )


@pytest.fixture(scope="module")
def uninterrupted(module_image_files, tmp_path_factory):
    """``(model, record)`` of the 12-step run of :func:`train`, never stopped: what the stopped,
    killed and warm-started runs are held to (one training for all of them)."""
    return train(module_image_files, tmp_path_factory.mktemp("uninterrupted"), 12)


def test_a_batch_is_a_function_of_its_seed_and_step_only(image_files):
    first = stream(image_files)
    again = stream(image_files)
    again.batch(0), again.batch(9)  # other batches drawn first change nothing
    for part, repeated in zip(first.batch(5), again.batch(5), strict=True):
        np.testing.assert_array_equal(part, repeated)
        assert part.shape == (4, 16, 16, 1) and part.dtype == np.float32
        assert -0.5 <= part.min() and part.max() <= 0.5
    assert not np.array_equal(first.batch(5)[1], first.batch(6)[1])
    assert not np.array_equal(first.batch(5)[1], stream(image_files, seed=4).batch(5)[1])


def test_the_eight_symmetries_are_distinct_and_keep_a_non_square_shape():
    square = np.arange(9.0).reshape(3, 3)
    images = {resumable.apply_symmetry(square, symmetry).tobytes() for symmetry in range(8)}
    assert len(images) == 8
    wide = np.arange(6.0).reshape(2, 3)
    shapes = [resumable.apply_symmetry(wide, symmetry, square=False) for symmetry in range(4)]
    assert all(shape.shape == (2, 3) for shape in shapes)
    assert len({shape.tobytes() for shape in shapes}) == 4


def test_augmentation_moves_the_corrupted_and_the_clean_patch_together(image_files):
    source, target = stream(image_files, corruption=untouched).batch(0)
    np.testing.assert_array_equal(source, target)
    plain, _ = stream(image_files, corruption=untouched, augment=False).batch(0)
    assert not np.array_equal(source, plain)  # the same crops, some of them turned or flipped


@pytest.mark.portable
def test_a_run_stopped_and_resumed_equals_an_uninterrupted_one(module_image_files, tmp_path, uninterrupted):
    whole, whole_record = uninterrupted
    train(module_image_files, tmp_path / "parts", 6)
    resumed, record = train(module_image_files, tmp_path / "parts", 12)
    assert record["state"]["step"] == 12 and record["state"]["stopped"] == "max_steps"
    assert [point["step"] for point in record["state"]["curve"]] == [3, 6, 9, 12]
    for point, expected in zip(record["state"]["curve"], whole_record["state"]["curve"], strict=True):
        assert point["val_psnr"] == pytest.approx(expected["val_psnr"], abs=1e-5)
    for weights, expected in zip(resumed.get_weights(), whole.get_weights(), strict=True):
        np.testing.assert_allclose(weights, expected, atol=1e-6)
    if keras.backend.backend() == "tensorflow":  # bit for bit on one backend and thread count
        for weights, expected in zip(resumed.get_weights(), whole.get_weights(), strict=True):
            np.testing.assert_array_equal(weights, expected)


KILLED_RUN = """
import os, signal, sys
sys.path[:0] = [{root!r}, {tests!r}]
import test_resumable as t
from sol5lab import resumable
def kill(step):
    if step == 5:  # mid-round: the last checkpoint is step 3's
        os.kill(os.getpid(), signal.SIGKILL)
t.train({images!r}, {directory!r}, 12, on_step=kill)
"""


def test_a_run_killed_mid_round_resumes_from_its_checkpoint_with_nothing_lost(
    module_image_files, tmp_path, uninterrupted
):
    directory = tmp_path / "killed"
    script = KILLED_RUN.format(
        root=ROOT, tests=os.path.dirname(__file__), images=module_image_files, directory=str(directory)
    )
    process = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert process.returncode == -signal.SIGKILL, process.stderr[-2000:]
    checkpoint = directory / resumable.CHECKPOINT_FILE
    assert store.read_record(str(checkpoint))["state"]["step"] == 3
    assert not [name for name in os.listdir(directory) if ".tmp" in name]
    resumed, record = train(module_image_files, directory, 12)
    whole, _ = uninterrupted
    assert record["state"]["step"] == 12
    for weights, expected in zip(resumed.get_weights(), whole.get_weights(), strict=True):
        np.testing.assert_array_equal(weights, expected)


def test_a_run_that_stops_improving_stops_after_its_patience_and_returns_the_best(image_files, tmp_path):
    # at a learning rate of zero nothing improves: the first round stays the best
    model, record = train(image_files, tmp_path, 100, builder=build(learning_rate=0.0), patience=2)
    state = record["state"]
    assert state["stopped"] == "plateau" and state["step"] == 9 and state["best_step"] == 3
    lines = []
    train(image_files, tmp_path, 100, patience=2, log=lines.append)  # finished: nothing more to do
    assert lines == ["resuming at step 9 from " + str(tmp_path / resumable.CHECKPOINT_FILE), lines[-1]]
    assert "stopped (plateau) at step 9" in lines[-1]


def test_a_bfloat16_checkpoint_carries_its_weights_and_optimizer_over_to_float32(image_files, tmp_path):
    # a machine without native bfloat16 resumes another machine's mixed_bfloat16 run in float32
    train(image_files, tmp_path, 6, builder=build(policy="mixed_bfloat16"), policy="mixed_bfloat16")
    saved = keras.saving.load_model(tmp_path / resumable.CHECKPOINT_FILE, compile=True, safe_mode=True)
    carried = resumable.carry_over(saved, build()())
    assert resumable.layer_policy(saved) == "mixed_bfloat16" and resumable.layer_policy(carried) == "float32"
    for weights, expected in zip(carried.get_weights(), saved.get_weights(), strict=True):
        np.testing.assert_array_equal(weights, expected)
    assert int(carried.optimizer.iterations) == 6  # so the cosine schedule goes on where it was
    for variable, expected in zip(carried.optimizer.variables, saved.optimizer.variables, strict=True):
        np.testing.assert_array_equal(np.asarray(variable), np.asarray(expected))
    _, record = train(image_files, tmp_path, 9, policy="float32")
    assert record["state"]["policies"] == [
        {"step": 0, "policy": "mixed_bfloat16"},
        {"step": 6, "policy": "float32"},
    ]
    assert [point["step"] for point in record["state"]["curve"]] == [3, 6, 9]
    assert record["state"]["curve"][-1]["val_psnr"] > record["state"]["curve"][0]["val_psnr"] - 1.0
    narrower = networks.build("resnet", num_channels=4, num_res_blocks=1)
    with pytest.raises(ValueError, match="must return a compiled model"):
        resumable.carry_over(saved, narrower)
    narrower.compile(loss="mean_squared_error", optimizer="adam")
    with pytest.raises(ValueError, match="network or optimizer differs"):
        resumable.carry_over(saved, narrower)


def test_the_checkpoint_of_another_run_is_refused_naming_it(image_files, tmp_path):
    train(image_files, tmp_path, 3)
    with pytest.raises(ValueError, match="checkpoint.keras is the checkpoint of another training"):
        train(image_files, tmp_path, 3, config={"run": "another"})


def test_the_progress_line_gives_the_eta_from_this_process_rate():
    curve = [{"val_psnr": 30.0}, {"val_psnr": 31.5}, {"val_psnr": 31.0}]
    line = resumable.progress_line(50, 200, 3725, 30, 60, 0.0012, curve)
    assert "step 50/200 (25%)" in line and "0.50 steps/s" in line
    assert "val 31.00 dB (best 31.50)" in line and "trained 1h02m" in line and "ETA 5m00s" in line


def test_the_training_clock_leaves_out_its_pauses():
    now = iter([10.0, 12.0, 15.0, 16.5, 30.0, 32.0])
    clock = resumable.TrainingClock(now=lambda: next(now))  # starts at 10
    assert clock.elapsed() == 2.0
    clock.pause()  # at 15
    clock.pause()  # a second pause changes nothing
    assert clock.elapsed() == 5.0  # paused: still 15 - 10
    clock.resume()  # at 16.5: 1.5 s paused
    assert clock.elapsed() == 30.0 - 10 - 1.5
    clock.resume()  # not paused: nothing
    assert clock.elapsed() == 32.0 - 10 - 1.5


def test_a_training_paused_by_sigtstp_goes_on_and_leaves_the_pause_out(image_files, tmp_path):
    previous = signal.getsignal(signal.SIGTSTP)
    waker = []

    def pause_at_step_two(step):
        if step == 2:  # a helper wakes this process 1.5 s after it stops itself
            waker.append(subprocess.Popen(["sh", "-c", f"sleep 1.5; kill -CONT {os.getpid()}"]))
            os.kill(os.getpid(), signal.SIGTSTP)

    started = time.perf_counter()
    _, record = train(image_files, tmp_path, 4, on_step=pause_at_step_two)
    wall = time.perf_counter() - started
    waker[0].wait(timeout=10)
    assert record["state"]["step"] == 4
    assert record["state"]["seconds"] < wall - 1.4  # the 1.5 s pause is not training time
    assert signal.getsignal(signal.SIGTSTP) == previous  # the handlers are put back


DATA_PARALLEL = """
import json, sys
sys.path[:0] = [{root!r}, {tests!r}]
sys.modules["tensorflow"] = None  # as on a GPU machine with JAX alone: nothing may need it
import jax, keras
import test_resumable as t
losses = {{}}
for name, distribution in (("one", None), ("two", keras.distribution.DataParallel(devices=jax.devices()))):
    model, record = t.train({images!r}, {folder!r} + name, 4, round_steps=1, distribution=distribution)
    losses[name] = [point["loss"] for point in record["state"]["curve"]]
with distribution.scope():
    model = t.build()()
devices = [len(variable.value.sharding.device_set) for variable in model.trainable_variables]
print(json.dumps({{"devices": len(jax.devices()), "losses": losses, "variable_devices": devices}}))
"""


def test_data_parallel_training_on_two_devices_matches_one_device(image_files, tmp_path):
    script = DATA_PARALLEL.format(
        root=ROOT, tests=os.path.dirname(__file__), images=image_files, folder=str(tmp_path / "run_")
    )
    environment = {
        **os.environ,
        "KERAS_BACKEND": "jax",
        "XLA_FLAGS": "--xla_force_host_platform_device_count=2",
    }
    process = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=environment
    )
    assert process.returncode == 0, process.stderr[-3000:]
    result = json.loads(process.stdout.strip().splitlines()[-1])
    assert result["devices"] == 2 and set(result["variable_devices"]) == {2}  # replicated on both
    np.testing.assert_allclose(result["losses"]["two"], result["losses"]["one"], rtol=1e-5)
    assert result["losses"]["one"][-1] < result["losses"]["one"][0]


def test_a_warm_start_sets_only_a_fresh_runs_weights_and_is_recorded(image_files, tmp_path, uninterrupted):
    source, _ = uninterrupted
    calls = []

    def initialise(model):
        calls.append(model)
        resumable.copy_weights(source, model)
        return {"source": "the source run"}

    # at a learning rate of zero the warm-started network keeps the source's weights
    still = build(learning_rate=0.0)
    model, record = train(image_files, tmp_path / "warm", 3, builder=still, initialise=initialise)
    assert len(calls) == 1 and record["state"]["initialised_from"] == {"source": "the source run"}
    for weights, expected in zip(model.get_weights(), source.get_weights(), strict=True):
        np.testing.assert_array_equal(weights, expected)
    cold, cold_record = train(image_files, tmp_path / "cold", 3, builder=still)
    assert "initialised_from" not in cold_record["state"]
    first_psnr = [run["state"]["curve"][0]["val_psnr"] for run in (record, cold_record)]
    assert first_psnr[0] != pytest.approx(first_psnr[1])
    _, resumed = train(image_files, tmp_path / "warm", 6, builder=still, initialise=initialise)
    assert len(calls) == 1 and resumed["state"]["initialised_from"] == {"source": "the source run"}


def test_copy_weights_refuses_another_network_naming_both_sizes():  # shapes compared: TensorFlow only
    wider, narrower = (networks.build("resnet", num_channels=c, num_res_blocks=1) for c in (8, 4))
    sizes = rf"{wider.count_params()} parameters.*{narrower.count_params()} parameters"
    with pytest.raises(ValueError, match=sizes):
        resumable.copy_weights(wider, narrower)
