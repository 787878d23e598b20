"""Checks that the part-1 lesson text matches the contracts, the diagram and the included files."""

import ast
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from lab.notebooks.attributes import parse_attributes
from lab.notebooks.cells import parse_blocks
from lab.notebooks.source import read_sources

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS_DIR = ROOT / "snippets"
DIAGRAM = ROOT / "images" / "stage1-build.dot"
SNIPPETS = ["01_setup_training_env.md", "02_run_training.md", "03_container_build.md"]

CONTRACT_DOCKER_RUN = (
    "docker run --rm -d -p 9090:8000 -e MLFLOW_TRACKING_URI=http://A.B.C.D:8000/ "
    "-e GIT_PYTHON_REFRESH=quiet --name gourmetgram-train gourmetgram-train"
)
HOST_PORT, CONTAINER_PORT = 9090, 8000
ARGO_PORT = 2746  # the Argo Server, reached only through the tunnel on 127.0.0.1
KNOWN_CELL_CLASSES = {("cell", "markdown"), ("cell", "code")}

FLOW = "train/gourmetgram_train/flow.py"
TRAIN_WF = "workflows/train-model.yaml"
BUILD_WF = "workflows/build-container-image.yaml"
EXPECTED_INCLUDES = {
    "01_setup_training_env.md": {
        (FLOW, "train_and_register"),
        (FLOW, "load_data"),
        (FLOW, "train_model"),
        (FLOW, "evaluate_model"),
        (FLOW, "register_model"),
        ("train/Dockerfile", None),
    },
    # The workflow files are quoted whole, group of lines by group of lines (see below).
    "02_run_training.md": {(TRAIN_WF, None)},
    "03_container_build.md": {(BUILD_WF, None)},
}
QUOTED_WHOLE = {"02_run_training.md": TRAIN_WF, "03_container_build.md": BUILD_WF}
REQUIRED_TEXT = {
    "01_setup_training_env.md": [
        "images/stage1-build.svg",
        "No Argo token is needed",
        "namespace `argo`",
        "lab.preflight()",
        "docker build -t gourmetgram-train train/",
        "docker logs -f gourmetgram-train",
        "Uvicorn running on http://0.0.0.0:8000",
        "http://E.F.G.H:9090/trigger-training",
        "GourmetGramFood11Model",
        "`development`",
        "0.80",
        "ACCURACY_THRESHOLD",
    ],
    "02_run_training.md": [
        "images/stage1-build.svg",
        "images/workflow-train-model.svg",
        "`train-model`",
        "`endpoint-ip`",
        "argo submit --from workflowtemplate/train-model -p endpoint-ip=E.F.G.H "
        '-p app-repo="$(git -C ~/gourmetgram-lab remote get-url origin)" -n argo',
        "ssh -L 2746:127.0.0.1:2746 cc@A.B.C.D",
        "kubectl -n argo port-forward svc/argo-server 2746:2746",
        "https://127.0.0.1:2746/",
        "No token is needed",
        "kubectl apply -n argo -f workflows/train-model.yaml "
        "-f workflows/build-container-image.yaml",
        "replace the course's",
        "/trigger-training",
        "gourmetgram-train",
        "GourmetGramFood11Model",
        "`development`",
    ],
    "03_container_build.md": [
        "images/stage1-build.svg",
        "images/workflow-build-container-image.svg",
        "`build-container-image`",
        "`model-version`",
        "gourmetgram-app:staging-1.0.N",
        "`staging-1.0.N`",
        "`staging`",
        "`development`",
        "GourmetGramFood11Model",
    ],
}
DIAGRAM_NAMES = [
    "gourmetgram-train",
    "8000",
    "9090",
    "/trigger-training",
    "train-model",
    "endpoint-ip",
    "GourmetGramFood11Model",
    "development",
    "build-container-image",
    "gourmetgram-app:staging-1.0.N",
    "staging",
    "node1",
    "Kubernetes cluster",
]

MD = MarkdownIt("commonmark")
STEP_CITE = re.compile(r"\bsteps?\s+(\d+(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s+to\s+)\d+)*)", re.I)
DOT_LABEL = re.compile(r"\b(?:x|head|tail)?label\s*=\s*")


@dataclass
class Cell:
    """One fenced cell of a snippet: its classes, first body line (1-based) and body text."""

    classes: tuple[str, ...]
    line: int
    body: str

    def tokens(self) -> list[Token]:
        """The cell body parsed as CommonMark, with line maps relative to the body."""
        return MD.parse(self.body)


def read_cells(name: str) -> list[Cell]:
    """A snippet's cells, split by the notebook builder's own parser; no text between them."""
    source = read_sources([SNIPPETS_DIR / name], ROOT)
    cells: list[Cell] = []
    for block in parse_blocks(source):
        body = "\n".join(source.lines[block.start : block.end]) + "\n"
        where = f"{name}:{source.origin(block.start).line}"
        if block.attrs is None:
            assert not body.strip(), f"{where}: text outside a cell: {body.strip()[:60]!r}"
            continue
        keys = dict(block.attrs.pairs)
        # Only tags (as pandoc writes them: a JSON list) become cell metadata here.
        assert set(keys) <= {"tags"}, f"{where}: unexpected cell attributes {keys}"
        if "tags" in keys:
            assert isinstance(json.loads(keys["tags"]), list), f"{where}: tags must be a list"
            assert block.attrs.classes == ("cell", "code"), f"{where}: tags on a non-code cell"
        cells.append(Cell(block.attrs.classes, source.origin(block.start).line, body))
    return cells


def fences(name: str) -> list[tuple[str, Token]]:
    """Every fenced code block of a snippet, with `file:line` of its opening fence."""
    found = []
    for cell in read_cells(name):
        for token in cell.tokens():
            if token.type == "fence":
                found.append((f"{name}:{cell.line + token.map[0]}", token))
    return found


def includes(name: str) -> list[tuple[str, str, str | None, Token]]:
    """Every include in a snippet: where, file, part (or None) and the fence token."""
    found = []
    for where, token in fences(name):
        if token.info.strip().startswith("{"):
            keys = dict(parse_attributes(token.info).pairs)
            if "include" in keys:
                found.append((where, keys["include"], keys.get("part"), token))
    return found


def cited_steps(text: str) -> set[int]:
    """Step numbers that the text cites: "step 3", "steps 2 and 3", "steps 4 to 7"."""
    steps: set[int] = set()
    for match in STEP_CITE.finditer(text):
        numbers = [int(n) for n in re.findall(r"\d+", match.group(1))]
        separators = re.split(r"\d+", match.group(1))[1:-1]
        steps.update(numbers)
        for low, sep, high in zip(numbers[:-1], separators, numbers[1:], strict=True):
            if "to" in sep:
                steps.update(range(low, high + 1))
    return steps


def dot_labels(source: str) -> list[str]:
    """The text of every label in a DOT file, HTML tags removed."""
    labels = []
    for match in DOT_LABEL.finditer(source):
        start = match.end()
        if source[start] == "<":
            depth, end = 0, start
            for end in range(start, len(source)):
                depth += {"<": 1, ">": -1}.get(source[end], 0)
                if depth == 0:
                    break
            raw = source[start + 1 : end]
        else:
            assert source[start] == '"', f"unquoted label at offset {start}"
            end = source.index('"', start + 1)
            raw = source[start + 1 : end]
        text = re.sub(r"<BR\s*/?>", "\n", raw, flags=re.I)
        labels.append(re.sub(r"<[^>]+>", "", text))
    return labels


def diagram_steps() -> set[int]:
    """Step numbers in the diagram: labels that start with a number."""
    labels = dot_labels(DIAGRAM.read_text(encoding="utf-8"))
    return {int(m.group(1)) for label in labels if (m := re.match(r"\s*(\d+)\b", label))}


def python_parts(path: Path) -> set[str]:
    """Top-level function and class names of a Python file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return {node.name for node in tree.body if isinstance(node, kinds)}


def workflow_parts(path: Path) -> set[str]:
    """Names of the templates in a workflow YAML file's `spec.templates`."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {template["name"] for template in document["spec"]["templates"]}


def hosts_on_port(text: str, port: int) -> list[str]:
    """Host names and addresses written as `HOST:port` (port mappings like 9090:8000 excluded)."""
    return re.findall(rf"([A-Za-z][\w.-]*|\d+(?:\.\d+){{3}}):{port}(?!\d)", text)


def snippet_text(name: str) -> str:
    """A snippet's whole source text."""
    return (SNIPPETS_DIR / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", SNIPPETS)
def test_cells_are_well_formed(name: str) -> None:
    """A snippet is a sequence of known cells and starts with a markdown cell with a heading."""
    cells = read_cells(name)
    assert cells, f"{name}: no cells"
    assert cells[0].classes == ("cell", "markdown"), f"{name}: first cell is not markdown"
    assert cells[0].body.lstrip().startswith("## "), f"{name}: first cell has no heading"
    for cell in cells:
        where = f"{name}:{cell.line}"
        assert cell.classes in KNOWN_CELL_CLASSES, f"{where}: unknown cell classes {cell.classes}"
        assert cell.body.strip(), f"{where}: empty cell"
    assert not snippet_text(name).startswith("---"), f"{name}: frontmatter belongs to the builder"


@pytest.mark.parametrize("name", SNIPPETS)
def test_contract_names_appear(name: str) -> None:
    """Each snippet names the contract's ports, names and pictures that its part covers."""
    text = snippet_text(name)
    missing = [needle for needle in REQUIRED_TEXT[name] if needle not in text]
    assert not missing, f"{name}: missing {missing}"


@pytest.mark.parametrize("name", SNIPPETS)
def test_only_contract_ports(name: str) -> None:
    """Only 9090 (host), 8000 (container, MLflow) and 2746 (Argo, tunnelled) appear as ports."""
    # Clock times in quoted logs (03:53:56.316) are not ports; nor is an address after
    # a forward's port (2746:127.0.0.1:2746).
    text = re.sub(r"\b\d{2}:\d{2}:\d{2}(\.\d+)?\b", "", snippet_text(name))
    ports = {int(p) for p in re.findall(r":(\d{2,5})(?!\d|\.\d)", text)}
    ports |= {int(p) for p in re.findall(r"\bports?\s+(\d+)", text, flags=re.I)}
    assert ports <= {HOST_PORT, CONTAINER_PORT, ARGO_PORT}, f"{name}: unexpected ports {ports}"
    for host in hosts_on_port(text, ARGO_PORT):
        assert host == "127.0.0.1", f"{name}: port {ARGO_PORT} on {host}"
    for host, container in re.findall(r"(?:-p|--publish)[\s=]+(\d+):(\d+)", text):
        mapping = (int(host), int(container))
        assert mapping == (HOST_PORT, CONTAINER_PORT), f"{name}: port mapping {mapping}"
    for host, port in re.findall(r"([\w.]+):(\d+)/trigger-training", text):
        assert (host, int(port)) == ("E.F.G.H", HOST_PORT), f"{name}: {host}:{port}"
    for host in hosts_on_port(text, CONTAINER_PORT):
        assert host in {"A.B.C.D", "0.0.0.0"}, f"{name}: port {CONTAINER_PORT} on {host}"
    for host in hosts_on_port(text, HOST_PORT):
        assert host == "E.F.G.H", f"{name}: port {HOST_PORT} on {host}"


@pytest.mark.parametrize("name", SNIPPETS)
def test_docker_run_is_the_contract(name: str) -> None:
    """Every `docker run` shown is exactly the contract's command."""
    commands = []
    for where, token in fences(name):
        joined = re.sub(r"\\\n", " ", token.content)
        for line in joined.splitlines():
            if re.match(r"\s*docker\s+run\b", line):
                commands.append((where, " ".join(line.split())))
    for where, command in commands:
        assert command == CONTRACT_DOCKER_RUN, f"{where}: {command}"
    if name == "01_setup_training_env.md":
        assert len(commands) == 1, f"{name}: expected the one docker run, found {len(commands)}"


@pytest.mark.parametrize("name", SNIPPETS)
def test_shell_blocks_say_where_they_run(name: str) -> None:
    """Every shell block starts with a `# runs on ...` comment."""
    for where, token in fences(name):
        if token.info.strip() in ("bash", "sh", "shell"):
            first = token.content.splitlines()[0] if token.content else ""
            assert first.startswith("# runs on "), f"{where}: first line {first!r}"


@pytest.mark.parametrize("name", SNIPPETS)
def test_cited_steps_exist_in_diagram(name: str) -> None:
    """Every step number that the text cites is a numbered label in the diagram."""
    cited = cited_steps(snippet_text(name))
    assert cited, f"{name}: cites no step of the diagram"
    unknown = cited - diagram_steps()
    assert not unknown, f"{name}: cites steps {sorted(unknown)} that the diagram lacks"


def test_every_diagram_step_is_explained() -> None:
    """The diagram numbers its steps 1..n and the text cites every one of them."""
    steps = diagram_steps()
    assert steps == set(range(1, max(steps) + 1)), f"diagram steps {sorted(steps)}"
    cited = set().union(*(cited_steps(snippet_text(name)) for name in SNIPPETS))
    assert steps - cited == set(), f"steps never cited: {sorted(steps - cited)}"


def test_step_list_matches_diagram() -> None:
    """The first notebook lists exactly as many steps as the diagram has."""
    lists = []
    for cell in read_cells("01_setup_training_env.md"):
        tokens = cell.tokens()
        for index, token in enumerate(tokens):
            if token.type == "ordered_list_open" and token.level == 0:
                items = 0
                for inner in tokens[index + 1 :]:
                    if inner.type == "ordered_list_close" and inner.level == 0:
                        break
                    items += inner.type == "list_item_open" and inner.level == 1
                lists.append(items)
    assert lists == [max(diagram_steps())], f"ordered lists of {lists} items"


def test_diagram_names_and_renders(tmp_path: Path) -> None:
    """The diagram uses the real names, has no timestamp, and Graphviz renders it."""
    source = DIAGRAM.read_text(encoding="utf-8")
    text = "\n".join(dot_labels(source))
    missing = [needle for needle in DIAGRAM_NAMES if needle not in text]
    assert not missing, f"diagram labels lack {missing}"
    assert not re.search(r"\d{4}-\d{2}-\d{2}", source), "diagram carries a date"
    assert "rankdir=TB" in source.replace(" ", "")  # tall, to fit a notebook column
    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("Graphviz `dot` is not installed (scripts/setup.sh installs it)")
    out = tmp_path / "stage1-build.svg"
    subprocess.run([dot, "-Tsvg", str(DIAGRAM), "-o", str(out)], check=True, timeout=60)
    assert "<svg" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", SNIPPETS)
def test_includes_are_the_contract(name: str) -> None:
    """Each snippet quotes exactly the contract's files and parts, with empty include bodies."""
    found = includes(name)
    for where, _, _, token in found:
        assert not token.content.strip(), f"{where}: an include's body must be empty"
    assert {(path, part) for _, path, part, _ in found} == EXPECTED_INCLUDES[name]


@pytest.mark.parametrize("name", SNIPPETS)
def test_include_targets_exist(name: str) -> None:
    """Every included file exists and holds the named part."""
    problems = []
    for where, path, part, _ in includes(name):
        target = ROOT / path
        if not target.is_file():
            problems.append(f"{where}: {path} does not exist")
        elif part is not None:
            if target.suffix == ".py":
                parts = python_parts(target)
            elif target.suffix in (".yaml", ".yml"):
                parts = workflow_parts(target)
            else:
                problems.append(f"{where}: {path} has no named parts")
                continue
            if part not in parts:
                problems.append(f"{where}: {path} has no part {part!r} (has {sorted(parts)})")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", SNIPPETS)
def test_first_code_cell_is_the_parameters_cell(name: str) -> None:
    """The notebook contract: the first code cell is tagged parameters and defaults to local."""
    import nbformat

    notebook = nbformat.read(ROOT / "notebooks" / name.replace(".md", ".ipynb"), as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code, f"{name}: no code cells"
    assert code[0].metadata.get("tags") == ["parameters"], f"{name}: first code cell untagged"
    assert 'target = "local"' in code[0].source
    assert all("parameters" not in cell.metadata.get("tags", []) for cell in code[1:])


def line_groups(name: str, path: str) -> list[tuple[str, int, int]]:
    """``(where, first, last)`` of each include of ``path`` in a snippet, in order (1-based)."""
    groups = []
    for where, included, _, token in includes(name):
        if included == path:
            lines = dict(parse_attributes(token.info).pairs).get("lines")
            assert lines, f"{where}: quote {path} by lines=, so that the groups add up to the file"
            first, _, last = lines.partition("-")
            groups.append((where, int(first), int(last or first)))
    return groups


def template_starts(path: Path) -> dict[str, int]:
    """Template name -> the line (1-based) where its item starts, with the comments above it
    (and, for the first, the ``templates:`` line)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    document = yaml.compose(path.read_text(encoding="utf-8"))
    spec = next(v for k, v in document.value if k.value == "spec")
    templates = next(v for k, v in spec.value if k.value == "templates")
    starts = {}
    for item in templates.value:
        name = next(v.value for k, v in item.value if k.value == "name")
        line = item.start_mark.line  # 0-based: the line of "- name:"
        while line > 0 and lines[line - 1].lstrip().startswith("#"):
            line -= 1
        if line > 0 and lines[line - 1].strip() == "templates:":
            line -= 1
        starts[name] = line + 1
    return starts


@pytest.mark.parametrize("name", sorted(QUOTED_WHOLE))
def test_workflow_is_quoted_whole_in_order(name: str) -> None:
    """The walkthrough shows every line of its workflow file once, in order, in groups that
    start where templates start: a line added to the file must be quoted and explained."""
    path = QUOTED_WHOLE[name]
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    groups = line_groups(name, path)
    expected = 1
    for where, first, last in groups:
        while expected < first and not lines[expected - 1].strip():
            expected += 1  # blank lines between groups need no quoting
        assert first == expected, f"{where}: lines {first}-{last}, expected a group at {expected}"
        assert first <= last <= len(lines), f"{where}: lines {first}-{last} of {len(lines)}"
        assert lines[last - 1].strip(), f"{where}: the group ends on a blank line"
        expected = last + 1
    rest = [i for i in range(expected, len(lines) + 1) if lines[i - 1].strip()]
    assert not rest, f"{name}: lines {rest[0]}-{rest[-1]} of {path} are never quoted"
    firsts = {first for _, first, _ in groups}
    for template, start in template_starts(ROOT / path).items():
        assert start in firsts, f"{name}: no group starts at template {template!r} (line {start})"
