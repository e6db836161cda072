"""The task registry: one record per task, read by everything else."""

import pytest

import sol5
from sol5lab import corruptions, protocols, tasks

LAB_TASKS = [name for name, record in tasks.TASKS.items() if record.learn is None]


def test_the_assignments_tasks_read_sol5s_own_table():
    for name in tasks.ASSIGNMENT_TASKS:
        assert tasks.TASKS[name].settings is sol5.TASK_SETTINGS[name]
        assert tasks.training_settings(name) == sol5.training_settings(name)
        assert tasks.training_settings(name, quick_mode=True) == sol5.training_settings(name, quick_mode=True)
    assert tasks.TASKS["denoising"].learn is sol5.learn_denoising_model
    assert tasks.TASKS["deblurring"].learn is sol5.learn_deblurring_model


@pytest.mark.parametrize("task", LAB_TASKS)
def test_every_lab_task_has_the_assignment_budget_and_quick_mode(task):
    full, quick = tasks.training_settings(task), tasks.training_settings(task, quick_mode=True)
    assert full["batch_size"] == 100 and full["steps_per_epoch"] == 100 and full["num_valid_samples"] == 1000
    assert (quick["batch_size"], quick["steps_per_epoch"], quick["num_epochs"]) == (10, 3, 2)
    # the large crop load_dataset corrupts is whole JPEG blocks and a multiple of every factor
    large = 3 * full["crop_size"][0]
    assert large % 8 == 0 and all(large % factor == 0 for factor in corruptions.SUPER_RESOLUTION["factors"])


def test_unknown_task_is_refused_naming_the_tasks():
    with pytest.raises(ValueError, match="Unknown task 'colorization'; the tasks are denoising, deblurring"):
        tasks.training_settings("colorization")


def test_each_protocol_draws_its_own_random_numbers():
    """No two tasks corrupt the same images from the same seeds; condition names are unique."""
    tested = [record for record in tasks.TASKS.values() if record.conditions]
    sources = [(record.test_dataset, record.seed_path) for record in tested]
    assert len(set(sources)) == len(sources)
    for record in tested:
        names = [condition["name"] for condition in record.conditions]
        assert len(set(names)) == len(names)
    assert tasks.COMPARED_TASKS == ("super_resolution", "jpeg_deblocking", "salt_and_pepper", "scratches")
    with pytest.raises(ValueError, match="no test protocol"):
        protocols.cases("combined")
