"""The benchmark: its arithmetic by hand, and its quick run, which goes through the full run's code."""

import json
from pathlib import Path

import keras
import numpy as np
import pytest

import sol5
from sol5lab import files, timing
from sol5lab.experiments import benchmark
from sol5lab.reporting import benchmark as benchmark_report

SECTIONS = {
    "machine",
    "matmul",
    "training_step",
    "data_loading",
    "data_wait",
    "quick_mode",
    "restore_image",
    "tiling",
    "deep_prior",
    "mixed_precision",
    "photo",
    "full_training",
}


def test_mixed_precision_puts_the_policy_back_after_a_failure(monkeypatch):
    def training_step(*args, **kwargs):
        if keras.mixed_precision.global_policy().name == "mixed_bfloat16":
            raise RuntimeError("no bfloat16 here")
        return {"seconds": timing.median_summary([1.0])}

    monkeypatch.setattr(benchmark, "training_step", training_step)
    with pytest.raises(RuntimeError, match="bfloat16"):
        benchmark.mixed_precision_step_ratio("denoising", 2, 1, rng=np.random.default_rng(0))
    assert keras.mixed_precision.global_policy().name == "float32"


@pytest.fixture(scope="module")
def quick_run(committed_copy, datasets):
    folder = Path(committed_copy.results)
    tile_pixels = sol5.RESTORE_TILE_PIXELS
    result = benchmark.main(["--quick", "--results-dir", committed_copy.results])
    # whatever the run monkeypatched or switched, it put back
    assert sol5.RESTORE_TILE_PIXELS == tile_pixels
    assert keras.mixed_precision.global_policy().name == "float32"
    return folder, result


def summaries(node, path="result"):
    """Every (path, summary) in the result: the dicts with a median."""
    if isinstance(node, dict):
        if "median" in node:
            yield path, node
        for key, value in node.items():
            yield from summaries(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from summaries(value, f"{path}[{index}]")


def test_the_quick_benchmark_leaves_the_committed_results_alone(quick_run, committed_copy):
    committed_copy.assert_only_variants_added("quick")
    assert committed_copy.added() == ["results/benchmark_quick.json"]


def test_writes_its_json_with_every_section(quick_run):
    folder, result = quick_run
    assert files.read_json(str(folder / "benchmark_quick.json")) == json.loads(json.dumps(result))
    assert SECTIONS <= set(result)
    assert result["full_training"] is None  # only with --full-training
    assert set(result["training_step"]) == set(result["data_loading"]) == {"denoising", "deblurring"}
    budget = benchmark.BUDGETS[True]
    assert list(result["data_wait"]) == list(budget["data_wait_tasks"]) == ["deblurring"]
    assert list(result["quick_mode"]) == list(budget["quick_mode_tasks"]) == ["deblurring"]
    full = benchmark.BUDGETS[False]
    assert full["data_wait_tasks"] == full["quick_mode_tasks"] == benchmark.TASKS  # the full run times both
    machine = result["machine"]
    assert machine["cpu_count"] >= 1 and machine["keras_backend"] == keras.backend.backend()
    assert set(machine["cpu_flags"]) == {"avx2", "avx512f", "avx512_bf16", "fma", "amx"}


def test_every_figure_has_the_budgets_repetitions(quick_run):
    _, result = quick_run
    assert len(dict(summaries(result))) > 30
    budget = benchmark.BUDGETS[True]
    assert result["matmul"]["seconds"]["repeats"] == budget["matmul_repeats"]
    assert result["training_step"]["denoising"]["seconds"]["repeats"] == budget["train_step_repeats"]
    for wait in result["data_wait"].values():
        assert wait["share"]["repeats"] == budget["fit_repeats"]
        assert wait["step_seconds"]["plain_generator"]["repeats"] == budget["plain_fit_repeats"]
        assert wait["teardown_seconds"]["library"]["repeats"] == 3 * budget["fit_repeats"]
        assert wait["teardown_seconds"]["plain_generator"]["repeats"] == budget["plain_fit_repeats"]
    assert result["restore_image"][0]["first_call_seconds"]["repeats"] == budget["restore_first_repeats"]


def test_the_figures_follow_from_the_models_arithmetic(quick_run):
    _, result = quick_run
    matmul = result["matmul"]
    assert matmul["gflop"] == pytest.approx(2 * matmul["size"] ** 3 / 1e9)
    for task, step in result["training_step"].items():
        settings = sol5.training_settings(task)
        assert step["num_res_blocks"] == benchmark.BUDGETS[True]["num_res_blocks"]
        model = sol5.build_nn_model(*settings["crop_size"], settings["num_channels"], step["num_res_blocks"])
        flops = timing.training_step_flops(model, step["batch_size"], *settings["crop_size"])
        assert step["gflop_per_step"] == pytest.approx(flops / 1e9)
        assert step["gflops"]["median"] == pytest.approx(step["gflop_per_step"] / step["seconds"]["median"])
        assert step["vs_matmul"] == pytest.approx(step["gflops"]["median"] / matmul["gflops"]["median"])


def test_data_wait_share_follows_from_the_step_times(quick_run):
    _, result = quick_run
    for wait in result["data_wait"].values():
        steps = wait["step_seconds"]
        assert all(steps[feed]["median"] > 0 for feed in ("real", "constant", "plain_generator"))
        # the share of each pair lies between those of the extreme step times
        lowest = (steps["real"]["min"] - steps["constant"]["max"]) / steps["real"]["min"]
        highest = (steps["real"]["max"] - steps["constant"]["min"]) / steps["real"]["max"]
        assert lowest - 1e-12 <= wait["share"]["min"] <= wait["share"]["max"] <= highest + 1e-12
        # and the float64 cost is the real feed's step against the same batches as float32
        lowest = steps["real"]["min"] / steps["real_float32"]["max"] - 1
        highest = steps["real"]["max"] / steps["real_float32"]["min"] - 1
        assert lowest - 1e-12 <= wait["float64_cost"]["min"] <= wait["float64_cost"]["max"] <= highest + 1e-12


def test_fit_timeline_times_every_step_and_the_teardown():
    model = sol5.build_nn_model(8, 8, 2, 0)
    sol5.compile_for_training(model)
    batch = tuple(np.zeros((2, 8, 8, 1), np.float32) for _ in range(2))
    steps, teardown = benchmark.fit_timeline(model, sol5.InOrderBatches(benchmark._repeat(batch), 4), 4)
    assert steps.shape == (4,) and np.all(steps > 0)
    assert teardown >= 0


def test_restoration_sizes_tiling_and_its_check(quick_run):
    _, result = quick_run
    budget = benchmark.BUDGETS[True]
    assert [row["size"] for row in result["restore_image"]] == [
        [side, side] for side in budget["restore_sizes"]
    ]
    assert all(row["memory"]["peak_above_start_mb"] is not None for row in result["restore_image"])
    tiled, check = result["tiling"]["tiled"], result["tiling"]["check"]
    assert tiled["size"] == list(budget["tiled_size"]) and tiled["tiles"] > 1
    assert tiled["tile_shape"][0] * tiled["tile_shape"][1] <= budget["tiled_tile_pixels"]
    assert check["tiles"] > 1 and check["within_tolerance"]
    assert check["max_abs_difference"] <= 1e-4
    assert check["unclipped_share"] > 0.9  # the comparison sees the pixels, not the clipping


def test_the_photograph_went_through_the_command_in_tiles(quick_run):
    _, result = quick_run
    budget = benchmark.BUDGETS[True]
    # quick, the photograph goes through the command once, with the shipped section's stand-in
    assert result["photo"] is None and not budget["photo_section"]
    assert benchmark.BUDGETS[False]["photo_section"]
    photo = result["shipped"]["denoising"]["photo"]
    assert photo["size"] == list(budget["photo_shape"]) and photo["tiles"] > 1
    assert photo["seconds"]["repeats"] == budget["photo_repeats"]
    assert 0 < photo["peak_above_start_mb"]["median"] < photo["process_peak_mb"]["median"]


def test_a_shipped_model_is_timed_under_its_stored_policy_and_in_float32(quick_run):
    _, result = quick_run
    timed = result["shipped"]["denoising"]
    # the stand-in is stored as the shipped models are, so both policies are timed
    assert timed["policy"] == "mixed_bfloat16"
    assert timed["float32_seconds"]["repeats"] == timed["seconds"]["repeats"] == 3
    assert timed["float32_seconds"]["median"] > 0
    rows = {row["what"]: row for row in benchmark_report.table_rows(result)}
    row = rows["shipped denoising model, 64x64 image, in float32"]
    assert row["value"] == timed["float32_seconds"] and row["unit"] == "s"


def test_the_table_has_a_row_per_figure_with_its_target(quick_run):
    _, result = quick_run
    table = benchmark_report.markdown_table(result).splitlines()
    rows = benchmark_report.table_rows(result)
    assert len(table) == 2 + len(rows)
    assert all(line.count("|") == 10 for line in table)
    targets = [row for row in rows if row["met"] is not None]
    assert {row["target"] for row in targets} >= {
        ">= 75% of matmul",
        "< 5%",
        "< 1 s",
        "≤ 2 s",
        "<= first call",
        "<= 0.0001",
        "≤ 1024 MB",
    }


def test_the_docs_show_the_committed_benchmark(committed_results):
    result = committed_results("benchmark.json")
    assert not result["quick"]
    assert benchmark_report.markdown_table(result) in committed_results.doc("performance.md")


def test_every_network_is_timed_under_both_policies_against_its_dtypes_matmul(quick_run):
    from sol5lab import networks

    _, result = quick_run
    section = result["architectures"]
    assert set(section["matmul"]) == {"float32", "bfloat16"}
    steps = section["steps"]["deblurring"]
    timed = benchmark.BUDGETS[True]["architectures_networks"]
    assert list(steps) == list(timed) and set(timed) <= set(networks.ARCHITECTURES)
    assert benchmark.BUDGETS[False]["architectures_networks"] is None  # the full run times them all
    for by_policy in steps.values():
        for policy, dtype in (("float32", "float32"), ("mixed_bfloat16", "bfloat16")):
            step = by_policy[policy]
            rate = step["gflop_per_step"] / step["seconds"]["median"]
            assert step["vs_matmul"] == pytest.approx(rate / section["matmul"][dtype]["gflops"]["median"])
    rows = [
        row
        for row in benchmark_report.table_rows(result)
        if row["what"].startswith("training step, deblurring")
        and row["what"].endswith(("float32", "bfloat16"))
    ]
    assert [row["what"] for row in rows if row["met"] is not None] == [
        f"training step, deblurring, {name}, mixed_bfloat16" for name in timed
    ]


def test_only_convolution_heavy_networks_under_bfloat16_have_a_rate_target():
    def step(vs_matmul):
        return {"gflops": timing.median_summary([1.0]), "vs_matmul": vs_matmul}

    section = {
        "matmul": {"float32": {"size": 64, "gflops": timing.median_summary([2.0])}},
        "steps": {
            "deblurring": {
                name: {"float32": step(0.9), "mixed_bfloat16": step(share)}
                for name, share in (("resnet", 0.7), ("dncnn", 0.5), ("lka_resnet", 0.1))
            }
        },
    }
    judged = {
        row["what"]: row["met"]
        for row in benchmark_report.architecture_rows(section, 0.6)
        if row["met"] is not None
    }
    assert judged == {
        "training step, deblurring, resnet, mixed_bfloat16": True,
        "training step, deblurring, dncnn, mixed_bfloat16": False,
    }
    assert benchmark_report.architecture_rows(None, 0.6) == []


@pytest.mark.parametrize("other_cpu", [True, False])
def test_a_section_measured_alone_joins_the_run_and_names_another_machine(
    quick_run, tmp_path, monkeypatch, other_cpu
):
    folder, result = quick_run
    (tmp_path / "benchmark_quick.json").write_text((folder / "benchmark_quick.json").read_text())
    machine = {**result["machine"]}
    if other_cpu:
        machine.update(cpu_model="Other CPU", cpu_flags={"avx2": True, "fma": True, "avx512f": False})
    remeasured = {"denoising": {**result["shipped"]["denoising"], "image_side": 7, "machine": machine}}
    monkeypatch.setattr(timing, "machine_info", lambda: machine)
    monkeypatch.setitem(benchmark.SECTIONS, "shipped", lambda quick, models_dir: remeasured)
    joined = benchmark.main(["--quick", "--only", "shipped", "--results-dir", str(tmp_path)])
    assert files.read_json(str(tmp_path / "benchmark_quick.json")) == json.loads(json.dumps(joined))
    # the section is replaced and its machine recorded; every other section is the run's
    assert joined["shipped"] == remeasured and joined["section_machines"] == {"shipped": machine}
    earlier = json.loads(json.dumps(result))
    assert {key: value for key, value in joined.items() if key not in ("shipped", "section_machines")} == {
        key: value for key, value in earlier.items() if key != "shipped"
    }
    rows = [row["what"] for row in benchmark_report.table_rows(joined)]
    named = [what for what in rows if "(on Other CPU, 2 cores, avx2 fma)" in what]
    assert named == (
        [what for what in rows if what.startswith("shipped denoising model")] if other_cpu else []
    )
    assert any(what.startswith("shipped denoising model") and "7x7 image" in what for what in rows)


def test_a_shipped_model_timed_alone_joins_the_others_rows_with_its_machine(quick_run, tmp_path, monkeypatch):
    folder, result = quick_run
    (tmp_path / "benchmark_quick.json").write_text((folder / "benchmark_quick.json").read_text())
    machine = {**result["machine"], "cpu_model": "Other CPU"}
    monkeypatch.setattr(timing, "machine_info", lambda: machine)
    photo = result["shipped"]["denoising"]["photo"]
    # no fresh process: the denoiser's photograph, at the size the command would be given
    monkeypatch.setattr(
        benchmark, "photo_restoration", lambda shape, *args, **kwargs: {**photo, "size": list(shape)}
    )
    joined = benchmark.main(
        ["--quick", "--only", "shipped", "--shipped-task", "super_resolution", "--results-dir", str(tmp_path)]
    )
    earlier = json.loads(json.dumps(result))
    assert list(joined["shipped"]) == ["denoising", "super_resolution"]
    assert joined["shipped"]["denoising"] == earlier["shipped"]["denoising"]
    timed = joined["shipped"]["super_resolution"]
    assert timed["machine"] == machine and timed["seconds"]["repeats"] == 3 and timed["seconds"]["median"] > 0
    assert joined.get("section_machines") == earlier.get("section_machines")  # the section's own stays
    rows = [row["what"] for row in benchmark_report.table_rows(joined)]
    enlarging = [what for what in rows if what.startswith("shipped super_resolution model")]
    assert [what for what in rows if "(on Other CPU" in what] == enlarging and len(enlarging) == 4
    # its input is the photograph made smaller, and its rows say so: quick mode's 160x120 and 64x64
    assert enlarging[0].endswith(", 32x32 image enlarged 2x to 64x64")
    assert enlarging[1].endswith(", 32x32 image enlarged 2x to 64x64, in float32")
    assert enlarging[2].endswith(", sol5lab restore of a 80x60 colour photograph, enlarged 2x to 160x120")
    assert any(what.endswith(", 64x64 image") for what in rows if what.startswith("shipped denoising model"))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--shipped-task", "denoising"], "give it with --only shipped"),
        (["--only", "shipped", "--shipped-task", "sharpening"], "--shipped-task sharpening: no such"),
    ],
)
def test_a_shipped_task_out_of_place_is_a_usage_error(tmp_path, capsys, extra, message):
    with pytest.raises(SystemExit) as stopped:
        benchmark.main([*extra, "--results-dir", str(tmp_path)])
    assert stopped.value.code == 2 and message in capsys.readouterr().err


def test_only_needs_a_whole_run_first(tmp_path, capsys):
    with pytest.raises(SystemExit):
        benchmark.main(["--quick", "--only", "shipped", "--results-dir", str(tmp_path)])
    assert "which a whole run writes first" in capsys.readouterr().err
