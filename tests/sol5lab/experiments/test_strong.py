"""The strong models' command on quick mode's budget: it trains resumably, scores against the
targets, writes only its own files, and ships (a full run) a model that loads as sol5lab's."""

import dataclasses
import os
from pathlib import Path

import numpy as np
import pytest

import sol5
import sol5lab
from sol5lab import corruptions, files, photos, recipes, shipped, store
from sol5lab.experiments import strong
from sol5lab.reporting import strong as report


def arguments(folder, task="denoising", *extra):
    return ["--task", task, "--results-dir", str(folder / "results"), "--models-dir", str(folder / "models"),
            "--ship-dir", str(folder / "shipped"), *extra]  # fmt: skip


@pytest.fixture(scope="module")
def quick_run(committed_copy, datasets):
    folder = Path(committed_copy.root)
    return folder, strong.main(arguments(folder, "denoising", "--quick", "--max-images", "1"))


def test_a_quick_run_writes_only_its_own_files_and_ships_nothing(quick_run, committed_copy):
    folder, result = quick_run
    committed_copy.assert_only_variants_added("quick")
    assert not os.path.exists(folder / "shipped")
    assert result["training"]["step"] == 4 and [p["step"] for p in result["training"]["curve"]] == [2, 4]


def test_the_targets_set_the_model_against_bm3d_with_its_gap(quick_run, committed_results):
    _, result = quick_run
    bm3d = committed_results("classical_comparison.json")["tasks"]["denoising"]
    assert [row["condition"] for row in result["targets"]] == list(bm3d)
    for row in result["targets"]:
        assert row["reference"]["psnr"] == bm3d[row["condition"]]["BM3D"]["psnr"]
        assert row["protocol"] == "denoising"
        model = result["held_out"]["denoising"][row["condition"]]["restored"]["psnr"]
        assert row["gap_db"] == pytest.approx(model - row["reference"]["psnr"])
        assert row["met"] == (row["gap_db"] >= 0)
    table = report.targets_table({"denoising": result})
    assert len(table.splitlines()) == 2 + len(result["targets"])


def test_the_combined_model_is_set_against_each_single_model_that_is_measured(
    tmp_path, datasets, monkeypatch
):
    # two of its protocols: one with a finished single model, one without
    monkeypatch.setattr(strong, "COMBINED_PROTOCOLS", ("super_resolution", "salt_and_pepper"))
    # a single-task result, as a finished super-resolution run of the same kind writes it
    single = {"held_out": {"super_resolution": {
        f"x{factor}": {"images": 1, "restored": {"psnr": 20.0 + factor, "ssim": 0.5}} for factor in (2, 3, 4)
    }}}  # fmt: skip
    files.write_json(str(tmp_path / "results" / "strong" / "super_resolution_quick.json"), single)
    result = strong.main(arguments(tmp_path, "combined", "--quick", "--max-images", "1"))
    assert list(result["held_out"]) == list(strong.COMBINED_PROTOCOLS)
    assert [len(rows) for rows in result["cases"].values()] == [3, 3]  # 1 image, 3 conditions each
    # only the protocol with a measured single model has targets: 0.5 dB below it
    assert [(row["protocol"], row["condition"]) for row in result["targets"]] == [
        ("super_resolution", f"x{factor}") for factor in (2, 3, 4)
    ]
    for row, factor in zip(result["targets"], (2, 3, 4), strict=True):
        model = result["held_out"]["super_resolution"][f"x{factor}"]["restored"]["psnr"]
        assert row["required_psnr"] == 20.0 + factor - 0.5
        assert row["gap_db"] == pytest.approx(model - (19.5 + factor))
    table = report.held_out_table("combined", result)
    assert len(table.splitlines()) == 2 + 6 and "| salt_and_pepper, 5% of pixels | 1 |" in table
    # each alternative is named by its protocol's task (the combined task's own is none of them)
    assert "| 3x3 median filter |" in table and "| cubic upscaling |" in table
    assert "| combined | super_resolution, x2 |" in report.targets_table({"combined": result})


def test_a_rerun_resumes_from_the_finished_checkpoint_and_trains_nothing(quick_run, capsys):
    folder, result = quick_run
    again = strong.main(arguments(folder, "denoising", "--quick", "--max-images", "1"))
    assert "resuming at step 4" in capsys.readouterr().out
    assert again["training"] == result["training"] and again["held_out"] == result["held_out"]


@pytest.fixture
def tiny_deblurring(monkeypatch):
    """The deblurring recipe at quick mode's budget, its full runs scored on the first held-out
    page only (every angle still): all 24 pages at the 4 angles took about 5 s of CPU a run."""
    monkeypatch.setitem(recipes.RECIPES, "deblurring", strong.quick_recipe(recipes.RECIPES["deblurring"]))
    scores = strong.held_out_scores
    monkeypatch.setattr(
        strong, "held_out_scores", lambda task, model, max_images=None: scores(task, model, max_images=1)
    )


def test_a_full_run_ships_a_model_with_its_card_that_pretrained_loads(
    tmp_path, datasets, monkeypatch, tiny_deblurring
):
    result = strong.main(arguments(tmp_path, "deblurring"))
    path = tmp_path / "shipped" / "deblurring.keras"
    model, record = store.load_trained(str(path))
    assert record["targets"] == result["targets"] and len(result["targets"]) == 4
    assert all(row["reference_name"].startswith("Wiener") for row in result["targets"])
    card = (tmp_path / "shipped" / "deblurring.md").read_text()
    assert [line[3:] for line in card.splitlines() if line.startswith("## ")] == list(report.CARD_SECTIONS)
    assert report.targets_table({"deblurring": result}) in card
    monkeypatch.setattr(shipped, "MODELS_DIR", str(tmp_path / "shipped"))
    assert shipped.available() == ["deblurring"]
    loaded = sol5lab.pretrained("deblurring")
    for weights, expected in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(weights, expected)
    image = np.random.default_rng(0).uniform(0, 1, (37, 29))
    np.testing.assert_array_equal(sol5.restore_image(image, loaded), sol5.restore_image(image, model))
    assert photos.shipped_model("deblurring") is not None and photos.shipped_model("denoising") is None


def test_ship_best_ships_the_best_so_far_of_a_training_under_way_and_says_so(
    tmp_path, datasets, monkeypatch, capsys, tiny_deblurring
):
    with pytest.raises(SystemExit):
        strong.main(arguments(tmp_path, "deblurring", "--ship-best"))
    error = capsys.readouterr().err
    assert "--ship-best" in error and "checkpoint.keras: no such file" in error

    def killed_at_step_3(step):
        if step == 3:
            raise KeyboardInterrupt  # after the round of step 2 and its checkpoint

    train = strong.resumable.train
    monkeypatch.setattr(strong.resumable, "train", lambda *a, **k: train(*a, **k, on_step=killed_at_step_3))
    with pytest.raises(KeyboardInterrupt):
        strong.main(arguments(tmp_path, "deblurring"))
    monkeypatch.setattr(strong.resumable, "train", lambda *args, **kwargs: pytest.fail("trained"))
    result = strong.main(arguments(tmp_path, "deblurring", "--ship-best"))
    assert result["training"]["step"] == 2 and result["training"]["stopped"] is None
    model, record = store.load_trained(str(tmp_path / "shipped" / "deblurring.keras"))
    best = store.load_trained(str(tmp_path / "models" / "strong" / "deblurring" / "best.keras"))[0]
    for weights, expected in zip(model.get_weights(), best.get_weights(), strict=True):
        np.testing.assert_array_equal(weights, expected)
    card = (tmp_path / "shipped" / "deblurring.md").read_text()
    assert "2 steps in" in card and "still under way, of at most 4 steps" in card
    assert result["command"] == " ".join(
        ["python -m sol5lab.experiments.strong", *arguments(tmp_path, "deblurring")]
    )
    # a probe on fewer images reads the same checkpoint, writes partial results, ships nothing
    shipped_bytes = (tmp_path / "shipped" / "deblurring.keras").read_bytes()
    probe = strong.main(arguments(tmp_path, "deblurring", "--ship-best", "--max-images", "1"))
    assert probe["training"] == result["training"]
    assert files.read_json(str(tmp_path / "results" / "strong" / "deblurring_partial.json")) == probe
    assert (tmp_path / "shipped" / "deblurring.keras").read_bytes() == shipped_bytes
    assert not (tmp_path / "models" / "strong" / "deblurring_partial").exists()


def test_pretrained_names_the_shipped_models_and_how_to_train_one(tmp_path, monkeypatch):
    monkeypatch.setattr(shipped, "MODELS_DIR", str(tmp_path))
    with pytest.raises(
        ValueError, match=r"No shipped model for task 'denoise' \(shipped: none yet\).*--task denoise"
    ):
        sol5lab.pretrained("denoise")


def test_a_missing_photo_set_is_a_usage_error_naming_the_build(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("sol5_utils.data_root", lambda: str(tmp_path))
    with pytest.raises(SystemExit) as stopped:
        strong.main(arguments(tmp_path, "denoising"))
    assert stopped.value.code == 2 and "make photos" in capsys.readouterr().err


def test_status_prints_the_checkpoints_curve_and_trains_nothing(quick_run, capsys, monkeypatch):
    folder, result = quick_run
    monkeypatch.setattr(strong.resumable, "train", lambda *args, **kwargs: pytest.fail("trained"))
    state = strong.main(arguments(folder, "denoising", "--quick", "--max-images", "1", "--status"))
    assert state == result["training"]
    out = capsys.readouterr().out
    assert "step 4 of at most 4" in out and report.curve_table(state["curve"]) in out
    assert len(report.curve_table(state["curve"]).splitlines()) == 2 + len(state["curve"])
    # the baseline of the curve: the corrupted inputs on the same validation batches, recomputed
    _, validation = strong.streams(strong.quick_recipe(recipes.recipe("denoising")), 0)
    sources, targets = (np.concatenate(arrays).astype(np.float64) for arrays in zip(*validation, strict=True))
    baseline = -10 * np.log10(np.mean((sources - targets) ** 2))
    assert f"The corrupted inputs score {baseline:.2f} dB on the same validation batches." in out


def test_table_prints_every_finished_models_targets_in_the_recipes_order(tmp_path, capsys):
    def finished(gap):
        row = {"protocol": "x", "condition": "c", "model": {"psnr": 30.0 + gap, "ssim": 0.9},
               "reference_name": "r", "reference": {"psnr": 30.0, "ssim": 0.9}, "required_psnr": 30.0,
               "gap_db": gap, "met": gap >= 0}  # fmt: skip
        return {"targets": [row]}

    for task, gap in (("jpeg_deblocking", 1.5), ("denoising", -0.25)):
        files.write_json(str(tmp_path / "results" / "strong" / f"{task}.json"), finished(gap))
    files.write_json(str(tmp_path / "results" / "strong" / "deblurring_quick.json"), finished(9.0))
    results = strong.main(["--table", "--results-dir", str(tmp_path / "results")])
    assert list(results) == ["denoising", "jpeg_deblocking"]  # no quick run, the recipes' order
    out = capsys.readouterr().out
    assert out.strip() == report.targets_table(results)
    assert "| -0.25 dB | no |" in out and "| +1.50 dB | yes |" in out


def test_training_without_a_task_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        strong.main(["--results-dir", str(tmp_path)])
    assert stopped.value.code == 2 and "--task is required" in capsys.readouterr().err


def test_the_combined_model_is_scored_on_every_corruption_it_undoes():
    assert sorted(strong.COMBINED_PROTOCOLS) == sorted(corruptions.COMBINED_ORDER)
    assert strong.protocols_of("combined") == strong.COMBINED_PROTOCOLS
    assert strong.protocols_of("denoising") == ("denoising",)


def test_a_gap_too_small_for_two_decimals_keeps_its_sign_readable():
    assert [report.gap_text(gap) for gap in (0.8612, -0.47, 0.0049, -0.0033, -0.00004, 0.0)] == [
        "+0.86 dB", "-0.47 dB", "+0.005 dB", "-0.003 dB", "-0.0000 dB", "+0.0000 dB",
    ]  # fmt: skip


def test_the_card_names_the_dtype_policies_where_they_are_not_the_recipes():
    state = {"policies": [{"step": 0, "policy": "mixed_bfloat16"}]}
    assert report.policies_line(state, "mixed_bfloat16") == [] and report.policies_line({}) == []
    assert report.policies_line({"policies": [{"step": 0, "policy": "float32"}]}) == []  # no recipe given
    [line] = report.policies_line({"policies": [{"step": 0, "policy": "float32"}]}, "mixed_bfloat16")
    assert "float32 throughout, not the recipe's mixed_bfloat16" in line
    state["policies"].append({"step": 18_500, "policy": "float32"})
    [line] = report.policies_line(state, "mixed_bfloat16")
    assert "mixed_bfloat16 from step 0; float32 from step 18,500" in line


def test_a_warm_start_copies_the_shipped_models_weights_and_names_them(tmp_path):
    from sol5lab import networks

    shipped_model = networks.build("resnet", num_channels=4, num_res_blocks=1)
    path = str(tmp_path / "super_resolution.keras")
    store.save_trained(shipped_model, path, {"training": {"best_step": 1500}})
    fresh = networks.build("resnet", num_channels=4, num_res_blocks=1)
    source = strong.warm_start("super_resolution", str(tmp_path))(fresh)
    for weights, expected in zip(fresh.get_weights(), shipped_model.get_weights(), strict=True):
        np.testing.assert_array_equal(weights, expected)
    assert source["source"] == "the shipped super_resolution model" and source["step"] == 1500
    assert source["sha256"] == store.read_record(path)["sha256"]
    [line] = report.initialisation_line({"initialised_from": source})
    assert "the shipped super_resolution model (its step 1,500 weights" in line
    assert report.initialisation_line({}) == []


def test_the_combined_model_without_the_model_it_starts_from_is_a_usage_error(tmp_path, capsys):
    assert recipes.recipe("combined").warm_start == "super_resolution"
    with pytest.raises(SystemExit) as stopped:
        strong.main(arguments(tmp_path, "combined"))
    error = capsys.readouterr().err
    assert stopped.value.code == 2
    assert "super_resolution.keras does not exist: train it first (--task super_resolution)" in error


def test_the_validation_batches_take_the_recipes_validation_corruption_where_it_has_one(datasets):
    def unchanged(image, rng):
        return image

    def darker(image, rng):
        return image * 0.5

    recipe = dataclasses.replace(
        strong.quick_recipe(recipes.recipe("combined")), corruption=unchanged, validation_corruption=None
    )
    stream, [(source, target)] = strong.streams(recipe, seed=0)
    training_source, training_target = stream.batch(0)
    np.testing.assert_array_equal(training_source, training_target)
    np.testing.assert_array_equal(source, target)  # validated on the training's draw
    _, [(source, target)] = strong.streams(dataclasses.replace(recipe, validation_corruption=darker), seed=0)
    np.testing.assert_allclose(source + sol5.PIXEL_OFFSET, (target + sol5.PIXEL_OFFSET) * 0.5, atol=1e-6)
    assert (
        "Validation batches corrupted by `darker`"
        in report.validation_corruption_line({"validation_corruption": "darker"})[0]
    )
    assert report.validation_corruption_line({"corruption": "unchanged"}) == []
