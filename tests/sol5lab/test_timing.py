"""Timing and memory: the summaries, the peak-memory probe, the network's FLOP count by hand."""

import keras
import numpy as np
import pytest

import sol5
from sol5lab import timing


@pytest.mark.portable
def test_conv_flops_of_the_assignment_network_by_hand():
    # 1 -> 4, two 4 -> 4 in the block, 4 -> 1, all 3x3: 9 * (4 + 16 + 16 + 4) = 360 multiply-adds a pixel
    model = sol5.build_nn_model(8, 8, 4, 1)
    assert timing.conv_flops(model, 3, 10, 12) == 2 * 360 * 10 * 12 * 3
    assert timing.training_step_flops(model, 3, 10, 12) == 3 * 2 * 360 * 10 * 12 * 3


def test_conv_flops_counts_kernel_size_and_channels():  # arithmetic of the layers: TensorFlow only
    inputs = keras.Input((None, None, 3))
    x = keras.layers.Conv2D(6, 5, padding="same")(inputs)
    x = keras.layers.Activation("relu")(x)
    outputs = keras.layers.Conv2D(2, 1)(x)
    model = keras.Model(inputs, outputs)
    # 5 * 5 * 3 * 6 + 1 * 1 * 6 * 2 = 462 multiply-adds a pixel; the ReLU is not counted
    assert timing.conv_flops(model, 1, 7, 9) == 2 * 462 * 7 * 9


def test_summaries_and_rates_keep_min_below_max():
    seconds = timing.median_summary([2.0, 1.0, 4.0, 3.0])
    assert seconds == {"median": 2.5, "min": 1.0, "max": 4.0, "repeats": 4}
    rate = timing.per_second(10.0, seconds)
    assert rate == {"median": 4.0, "min": 2.5, "max": 10.0, "repeats": 4}
    assert timing.scaled(seconds, 0.5) == {"median": 1.25, "min": 0.5, "max": 2.0, "repeats": 4}


def test_peak_memory_sees_a_temporary_allocation():
    with timing.peak_memory() as memory:
        block = np.ones(64 * 2**20 // 8)  # 64 MB, touched, then freed
        del block
    if not memory["high_water_mark_reset"]:
        pytest.skip("this system cannot reset the peak memory of a process")
    assert 60 < memory["peak_above_start_mb"] < 200


def test_summarize_is_the_median_min_and_max():
    assert timing.median_summary([3.0, 1.0, 2.0, 10.0]) == {
        "median": 2.5,
        "min": 1.0,
        "max": 10.0,
        "repeats": 4,
    }
