"""The models the package ships: each loads safely, restores as its committed results say, has its
card, and the README and docs show the targets table of the committed results."""

import numpy as np
import pytest

import sol5
import sol5_utils
import sol5lab
from sol5lab import evaluation, inference, protocols, shipped, store, training
from sol5lab.experiments import strong
from sol5lab.reporting import strong as report

SHIPPED = shipped.available()


def test_every_shipped_model_has_a_recipe_a_card_and_its_finished_result():
    finished = strong.finished_results(sol5_utils.relpath("results"))
    assert SHIPPED == sorted(finished)
    for task in SHIPPED:
        _, record = store.load_trained(shipped.model_path(task))  # checks its weights' hashes
        assert record["targets"] == finished[task]["targets"]
        assert record["config"]["recipe"]["task"] == task
        # stopped, or shipped from a training under way (strong --ship-best), whose card says so
        assert record["training"]["stopped"] in ("plateau", "max_steps", None)
        assert record["training"]["best_step"] <= record["training"]["step"]
        with open(shipped.card_path(task), encoding="utf-8") as card:
            assert card.read() == report.model_card(task, finished[task])


def test_the_readme_and_the_docs_show_the_targets_of_every_finished_model(committed_results):
    finished = strong.finished_results(sol5_utils.relpath("results"))
    table = report.targets_table(finished)
    assert table in committed_results.readme() and table in committed_results.doc("strong.md")


def curve_tables_of(page):
    """``{task: [row, ...]}``: the validation-curve tables of a page, each the one that follows the
    paragraph naming ``sol5lab/models/<task>.keras`` (its model's results)."""
    tables, task = {}, None
    for line in page.splitlines():
        named = [name for name in SHIPPED if f"`sol5lab/models/{name}.keras`" in line]
        task = named[0] if named else task
        if task is not None and line.startswith("| ") and line[2].isdigit():
            tables.setdefault(task, []).append(line)
        elif task in tables and not line.startswith("|"):
            task = None  # the table has ended: later tables belong to the next model
    return tables


def test_the_docs_curve_tables_are_rows_of_each_shipped_model_training_curve(committed_results):
    finished = strong.finished_results(sol5_utils.relpath("results"))
    tables = curve_tables_of(committed_results.doc("strong.md"))
    assert sorted(tables) == SHIPPED
    for task, rows in tables.items():
        state = finished[task]["training"]
        curve = report.curve_table(state["curve"]).splitlines()
        assert set(rows) <= set(curve), task
        # every table shows the shipped round, and the last one of the training
        steps = [int(row.split("|")[1].replace(",", "")) for row in rows]
        assert state["best_step"] in steps and state["step"] in steps, task


#: The shipped models whose first held-out case is restored again here, one of each way of
#: restoring (``sol5lab.inference.restore_with``: ``sol5.restore_image`` or the enlargement), the
#: cheapest of each: an 8-block network restores a 512x512 case in about 7 s of CPU, almost all
#: of it convolutions (the deblurring case is 230x291). Every shipped model's weights are checked
#: against their record's hashes above, and what each gains on a window by tests/sol5lab/test_cli.py.
RECOMPUTED = [task for task in ("deblurring", "super_resolution") if task in SHIPPED]


@pytest.mark.parametrize("task", RECOMPUTED)
def test_a_shipped_model_restores_its_first_held_out_case_as_its_result_says(
    task, committed_results, datasets
):
    result = committed_results(f"strong/{task}.json")
    protocol = strong.protocols_of(task)[0]
    case = protocols.cases(protocol, max_images=1)[0]
    model = sol5lab.pretrained(task)
    restored = inference.restore_with(protocol, model, case["corrupted"], case["parameters"])
    quality = evaluation.image_quality(case["clean"], restored)
    recorded = result["cases"][protocol][0]
    assert (recorded["image"], recorded["condition"]) == (case["image"], case["condition"])
    assert quality["psnr"] == pytest.approx(recorded["restored"]["psnr"], abs=0.01)
    # over the input, or where there is one the alternative a user has (cubic upscaling)
    baseline = case.get("alternative", case["corrupted"])
    assert quality["psnr"] > evaluation.image_quality(case["clean"], baseline)["psnr"] + 0.5


@pytest.mark.parametrize("task", SHIPPED)
def test_a_shipped_model_takes_any_size_in_restore_images_convention(task):
    if task == "super_resolution":
        pytest.skip("super-resolution takes the low-resolution image (super_resolve_image)")
    model = sol5lab.pretrained(task)
    image = np.random.default_rng(0).uniform(0, 1, (37, 29))
    restored = sol5.restore_image(image, model)
    assert restored.shape == image.shape and restored.dtype == np.float64
    assert 0 <= restored.min() and restored.max() <= 1


@pytest.mark.skipif(not SHIPPED, reason="no model shipped")
def test_a_shipped_model_computes_in_float32_with_its_weights_where_bfloat16_is_emulated(monkeypatch):
    task = SHIPPED[0]
    monkeypatch.setattr(training, "native_bfloat16", lambda devices, cpu_flags: True)
    stored = sol5lab.pretrained(task)
    assert training.stored_policy(sol5lab.pretrained(task, "float32")) == "float32"
    monkeypatch.setattr(training, "native_bfloat16", lambda devices, cpu_flags: False)
    moved = sol5lab.pretrained(task)
    assert training.stored_policy(sol5lab.pretrained(task, "mixed_bfloat16")) == "mixed_bfloat16"
    assert training.stored_policy(stored) == "mixed_bfloat16" and training.stored_policy(moved) == "float32"
    assert all(np.array_equal(a, b) for a, b in zip(stored.get_weights(), moved.get_weights(), strict=True))
    image = np.random.default_rng(0).uniform(0, 1, (24, 24))
    low = image[::2, ::2] if task == "super_resolution" else image
    restored = [inference.restore_with(task, model, low, {"factor": 2}) for model in (stored, moved)]
    assert 0 < np.abs(restored[0] - restored[1]).max() < 0.02
    with pytest.raises(ValueError, match="policy must be a Keras dtype policy"):
        sol5lab.pretrained(task, "bf16")
