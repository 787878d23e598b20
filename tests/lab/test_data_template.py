"""lab.data_template: the sample data set generated at setup, copied into a fresh state."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from gourmetgram_train.config import Settings
from gourmetgram_train.sample_data import ensure_sample_dataset
from lab.data_template import DATA_IN_STATE, make_template, seed_sample_data


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("share") / "data"
    made = make_template(folder)
    assert made.parent == folder
    return folder


def same_tree(left: Path, right: Path) -> bool:
    compared = filecmp.dircmp(left, right)
    if compared.left_only or compared.right_only or compared.diff_files:
        return False
    return all(same_tree(left / d, right / d) for d in compared.common_dirs)


def test_the_template_is_the_set_the_service_would_generate(template: Path, tmp_path: Path) -> None:
    fields = Settings.model_fields
    own = ensure_sample_dataset(tmp_path, fields["seed"].default, fields["image_size"].default)
    (made,) = template.iterdir()
    assert made.name == own.name
    assert len(list(made.rglob("*.png"))) == 770
    assert same_tree(made, own)


def test_a_fresh_state_gets_a_copy_and_a_state_in_use_keeps_its_own(
    template: Path, tmp_path: Path
) -> None:
    state = tmp_path / "train-state"
    (name,) = (p.name for p in template.iterdir())
    assert seed_sample_data(state, template) == [name]
    assert same_tree(template / name, state / DATA_IN_STATE / name)
    assert not [p for p in (state / DATA_IN_STATE).iterdir() if p.name.startswith(".")]
    marker = state / DATA_IN_STATE / name / "in-use"
    marker.write_text("kept")
    assert seed_sample_data(state, template) == []
    assert marker.read_text() == "kept"


def test_no_template_copies_nothing(tmp_path: Path) -> None:
    assert seed_sample_data(tmp_path / "state", tmp_path / "missing") == []
    assert not (tmp_path / "state").exists()
