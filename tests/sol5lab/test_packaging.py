"""The wheel holds sol5.py, sol5_utils.py and every package of sol5lab, and nothing else."""

import os

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11 and newer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_the_wheel_lists_every_package_of_sol5lab_and_only_the_two_modules():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as file:
        setuptools = tomllib.load(file)["tool"]["setuptools"]
    packages = sorted(
        os.path.relpath(folder, ROOT).replace(os.sep, ".")
        for folder, _, names in os.walk(os.path.join(ROOT, "sol5lab"))
        if "__init__.py" in names
    )
    assert sorted(setuptools["packages"]) == packages
    assert setuptools["py-modules"] == ["sol5", "sol5_utils"]
