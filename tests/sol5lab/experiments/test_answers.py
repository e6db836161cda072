"""answer_q1.txt: its numbers and its claims about trends come from the committed results."""

from sol5lab.reporting import answers as answers_report


def test_a_steady_gain_larger_than_the_spread_is_called_so():
    text = answers_report._trend([1, 2, 3], [10.0, 8.0, 6.0], [0.1, 0.1, 0.1], lower_is_better=True)
    assert text.startswith("better with every added block")
    assert "every step is larger than the seed spread" in text
    assert "more than twice the seed spread" in text


def test_a_trend_that_turns_and_hides_in_the_spread_is_called_so():
    text = answers_report._trend(
        [1, 2, 3, 4], [20.0, 21.0, 20.9, 21.05], [0.05, 0.3, 0.3, 0.3], lower_is_better=False
    )
    assert text.startswith("not monotone (worse from 2 to 3 blocks)")
    assert "steps within the seed spread: 2 to 3, 3 to 4 blocks" in text
    assert "more than twice the seed spread" in text
    flat = answers_report._trend([1, 2], [5.0, 5.1], [0.2, 0.2], lower_is_better=True)
    assert flat.startswith("worse with every added block") and "within twice the seed spread" in flat


def fake_summary():
    def spread(values):
        return {"mean": sum(values) / len(values), "std": 0.01, "values": values}

    by_depth = {
        str(depth): {
            "seeds": [0, 1, 2],
            "val_mse": spread([0.01 / depth] * 3),
            "training_seconds": spread([10.0 * depth] * 3),
            "conditions": {"sigma 25/255": {"psnr": spread([25.0 + depth] * 3)}},
        }
        for depth in (1, 2)
    }
    corrupted = {"sigma 25/255": {"psnr": 20.1234, "ssim": 0.5}}
    step = {"mean": -0.005, "std": 0.001, "decreased": 2, "seeds": [0, 1, 2]}
    paired = {"steps": {"1-2": step}, "overall": step}
    entry = {"depths": [1, 2], "by_depth": by_depth, "corrupted": corrupted, "val_mse_paired": paired}
    return {"tasks": {"denoising": entry}}


def test_the_answer_carries_the_numbers_of_the_summary():
    text = answers_report.answer_q1(fake_summary())
    assert "DENOISING (3 seeds per depth" in text
    assert "20.12 dB" in text  # the corrupted input
    assert "26.00 ± 0.01 dB" in text and "27.00 ± 0.01 dB" in text
    assert "10.000 x 1e-3 at 1 block, 5.000 x 1e-3 at 2 blocks (-50.0%)" in text
    assert "10 s at 1 block, 20 s at 2 blocks" in text
    assert "-5.000 ± 1.000 x 1e-3, lower in 2 of 3" in " ".join(text.split())
    assert "1 to 2: -5.000 (lower in 2 of 3)" in " ".join(text.split())
    assert all(len(line) <= answers_report.WIDTH + 30 for line in text.splitlines())


def test_the_committed_answer_is_the_one_the_committed_results_give(committed_results):
    summary = committed_results("depth_experiment.json")
    shown = committed_results.show("answer_q1.txt")
    assert shown == answers_report.answer_q1(summary)


def fake_tasks_summary():
    def quality(psnr):
        return {"psnr": psnr, "ssim": 0.5}

    conditions = {
        f"x{factor}": {"images": 4, "alternative": quality(30.0 - factor), "single": quality(31.0 - factor)}
        | {"combined": quality(30.5 - factor)}
        for factor in (2, 3, 4)
    }
    settings = {
        "factors": [2, 3, 4],
        "crop_size": [32, 32],
        "num_channels": 48,
        "num_epochs": 5,
        "steps_per_epoch": 100,
        "batch_size": 100,
    }
    return {
        "tasks": {"super_resolution": {"alternative": "cubic upscaling", "conditions": conditions}},
        "training": {"super_resolution": {"training_seconds": 123.4, "settings": settings}},
    }


def test_answer_q2_is_the_recipe_and_the_measured_numbers():
    text = answers_report.answer_q2(fake_tasks_summary())
    assert text.startswith(answers_report.Q2_QUESTION)
    assert "restore_image(upscale(L, (s * h, s * w)), model)" in " ".join(text.split())
    assert "x2: cubic upscaling 28.00 dB / 0.500, the model 29.00 dB / 0.500 (+1.00 dB)" in text
    assert "x4: cubic upscaling 26.00 dB" in text and "the combined model 26.50 dB" in text
    assert "123 s on this 2-core CPU" in " ".join(text.split())
    assert "(4 test images;" in text


def test_the_committed_answer_q2_is_the_one_the_committed_results_give(committed_results):
    summary = committed_results("restoration_tasks.json")
    assert committed_results.show("answer_q2.txt") == answers_report.answer_q2(summary)
