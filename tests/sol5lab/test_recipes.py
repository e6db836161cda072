"""The strong recipes: their data never meets their validation, their streams replay, and the
assignment's rows stay as the course sets them."""

import json
import os

import numpy as np
import pytest

import sol5
import sol5_utils
from sol5lab import recipes, tasks


@pytest.fixture
def photo_set(tmp_path, monkeypatch):
    """A stand-in photo set: the validation photographs and two others, by name only."""
    names = [*recipes.VALIDATION_PHOTOS, "a.png", "b.png"]
    paths = sorted(str(tmp_path / name) for name in names)
    monkeypatch.setattr(recipes, "photo_dataset_images", lambda: paths)
    return paths


def test_the_validation_photographs_are_never_trained_on(photo_set, datasets):
    training = recipes.training_photographs()
    validation = recipes.validation_photographs()
    assert sorted(os.path.basename(path) for path in validation) == sorted(recipes.VALIDATION_PHOTOS)
    assert not set(training) & set(validation)
    assert {os.path.basename(path) for path in training} >= {"a.png", "b.png"}


def test_a_photo_set_without_the_validation_photographs_is_refused(monkeypatch):
    monkeypatch.setattr(recipes, "photo_dataset_images", lambda: ["/x/a.png"])
    with pytest.raises(FileNotFoundError, match="make photos"):
        recipes.validation_photographs()


def test_the_validation_pages_are_the_last_eighth_of_the_course_pages_and_never_trained_on(
    monkeypatch, datasets
):
    monkeypatch.setattr(recipes, "more_text_pages", lambda: ["/more/page.png"])
    pages = sorted(sol5_utils.images_for_deblurring())
    held = recipes.validation_pages()
    assert held == pages[len(pages) - len(pages) // 8 :] and len(held) == len(pages) // 8
    training = recipes.training_pages()
    assert not set(training) & set(held) and len(training) == len(pages) - len(held) + 1


def test_the_large_patches_hold_whole_jpeg_blocks_and_every_enlargement():
    for task in ("super_resolution", "jpeg_deblocking", "combined"):
        height, width = recipes.recipe(task).crop_size
        for divisor in (2, 3, 4, 8):
            assert height % divisor == 0 and width % divisor == 0


@pytest.mark.parametrize(
    "task, field",
    [(task, "corruption") for task in sorted(recipes.RECIPES)] + [("combined", "validation_corruption")],
)
def test_a_corruption_replays_from_its_generator_and_keeps_the_shape(task, field):
    image = np.random.default_rng(0).uniform(0, 1, (48, 48))
    corruption = getattr(recipes.recipe(task), field)
    first = corruption(image, np.random.default_rng(5))
    assert first.shape == image.shape and 0 <= first.min() and first.max() <= 1
    np.testing.assert_array_equal(first, corruption(image, np.random.default_rng(5)))
    assert np.abs(first - image).mean() > 0


def test_the_combined_training_draws_a_lone_corruption_at_the_share_it_says(monkeypatch):
    drawn = []
    monkeypatch.setattr(recipes, "lone_corruption", lambda image, rng: drawn.append("lone") or image)
    monkeypatch.setattr(
        recipes.corruptions, "add_combined_corruption", lambda image, *a, **k: drawn.append("mix") or image
    )
    rng = np.random.default_rng(3)
    for _ in range(1000):
        recipes.lone_or_combined_corruption(np.zeros((8, 8)), rng)
    assert abs(drawn.count("lone") / len(drawn) - recipes.LONE_SHARE) < 0.05  # sd 0.016


def test_only_the_combined_recipe_validates_on_another_draw_and_its_config_names_it(photo_set, datasets):
    assert recipes.recipe("combined").config()["validation_corruption"] == "lone_corruption"
    for task in ("denoising", "super_resolution", "jpeg_deblocking"):
        assert "validation_corruption" not in recipes.recipe(task).config()


def test_the_config_names_the_images_so_another_photo_set_is_another_training(photo_set, monkeypatch):
    config = recipes.recipe("denoising").config()
    assert json.loads(json.dumps(config)) == config
    assert config["validation_images"] == sorted(recipes.VALIDATION_PHOTOS)
    assert config["network"]["num_res_blocks"] == 8 and config["corruption"] == "gaussian_noise"
    monkeypatch.setattr(recipes, "photo_dataset_images", lambda: [*photo_set, "/x/c.png"])
    assert recipes.recipe("denoising").config() != config


def test_the_assignments_rows_are_untouched_by_the_recipes():
    for task in tasks.ASSIGNMENT_TASKS:
        assert tasks.task(task).settings is sol5.TASK_SETTINGS[task]
    assert sol5.TASK_SETTINGS["denoising"]["crop_size"] == (24, 24)
    assert sol5.TASK_SETTINGS["deblurring"]["crop_size"] == (16, 16)


def test_an_unknown_task_names_the_recipes_there_are():
    with pytest.raises(ValueError, match="recipes for denoising, deblurring"):
        recipes.recipe("denoise")


def test_only_a_warm_start_enters_the_config_so_earlier_trainings_still_resume(photo_set, datasets):
    # the checkpoints of trainings begun before warm starts existed hold configs without the key
    assert "warm_start" not in recipes.recipe("denoising").config()
    for task in ("jpeg_deblocking", "combined"):
        assert recipes.recipe(task).config()["warm_start"] == "super_resolution"


def test_only_the_combined_training_runs_to_its_ceiling_whatever_its_plateaus(photo_set, datasets):
    # its rounds swing by up to 1.1 dB, and a patience of 10 rounds stopped it at 72% of the cosine
    for task in recipes.RECIPES:
        recipe = recipes.recipe(task)
        runs_to_ceiling = recipe.patience * recipe.round_steps >= recipe.max_steps
        assert runs_to_ceiling == (task == "combined"), task
    assert recipes.recipe("combined").config()["patience"] == 60
