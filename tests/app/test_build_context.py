"""The app's Dockerfile and pins: every COPY source exists in a built context; pins agree."""

from __future__ import annotations

import re
from pathlib import Path

from lab.docker.dockerfile import arg_defaults, base_images, copy_sources
from lab.requirements import requirement_pins

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "app" / "Dockerfile"
TEST_IMAGE = REPO / "app" / "gourmetgram_app" / "static" / "test.jpg"


def test_every_copy_source_exists_in_the_build_context(build_context: Path) -> None:
    sources = copy_sources(DOCKERFILE)
    assert {"requirements.txt", "gourmetgram_app/", "model/"} <= set(sources)
    for source in sources:
        assert (build_context / source).exists(), f"COPY {source}: missing from the build context"
    for name in ("model.pt2", "metadata.json", "version.txt"):
        assert (build_context / "model" / name).is_file()


def test_the_image_runs_the_app_as_a_non_root_user_on_port_8000() -> None:
    text = DOCKERFILE.read_text()
    (base,) = base_images(DOCKERFILE)  # FROM ${BASE_IMAGE}, with the ARG's default
    assert re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?", base), base
    assert re.search(r"^USER (?!root)\S+", text, re.MULTILINE)
    assert "EXPOSE 8000" in text
    assert 'CMD ["python", "-m", "gourmetgram_app"]' in text


def test_every_app_requirement_is_pinned_and_torch_is_the_cpu_build() -> None:
    lines = [
        line.strip()
        for line in (REPO / "app" / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    packages = [line for line in lines if not line.startswith("--")]
    assert all("==" in line for line in packages), packages
    assert requirement_pins(REPO / "app" / "requirements.txt")["torch"].endswith("+cpu")
    # No index options: the root requirements.txt includes this file, and the lab's
    # machines reach only PyPI. The Dockerfile installs torch from the CPU index first.
    assert not [line for line in lines if line.startswith("--")]


def test_train_and_app_pin_the_same_torch_and_shared_packages() -> None:
    train = REPO / "train" / "requirements.txt"
    assert train.is_file(), "train/requirements.txt is missing: the training image pins torch too"
    ours, theirs = requirement_pins(REPO / "app" / "requirements.txt"), requirement_pins(train)
    assert ours["torch"] == theirs.get("torch"), (ours["torch"], theirs.get("torch"))
    shared = sorted(set(ours) & set(theirs))
    assert {"torch", "fastapi", "pillow"} <= set(shared)
    assert {name: ours[name] for name in shared} == {name: theirs[name] for name in shared}


def test_the_dockerfile_installs_the_pinned_cpu_torch() -> None:
    pinned = requirement_pins(REPO / "app" / "requirements.txt")["torch"]
    text = DOCKERFILE.read_text()
    assert f'--index-url "$TORCH_INDEX_URL" torch=={pinned}' in text
    assert arg_defaults(DOCKERFILE)["TORCH_INDEX_URL"] == "https://download.pytorch.org/whl/cpu"


def test_the_dockerfile_takes_the_three_build_args_with_node1_defaults() -> None:
    assert arg_defaults(DOCKERFILE) == arg_defaults(REPO / "train" / "Dockerfile")
    assert arg_defaults(DOCKERFILE)["PIP_FIND_LINKS"] == ""


def test_bundled_test_photo_is_small_and_a_real_image() -> None:
    from PIL import Image

    assert TEST_IMAGE.stat().st_size < 50_000
    with Image.open(TEST_IMAGE) as image:
        assert image.format == "JPEG" and min(image.size) >= 64
