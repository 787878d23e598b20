"""Read what a notebook printed: run summaries (``run_summary``) and the registry table."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PHASES = "Running|Succeeded|Failed|Skipped|Error"
WORKFLOW_LINE = re.compile(
    rf"^(?P<indent> *)(?P<name>\S+) \((?P<template>\S+)\): (?P<phase>{PHASES})$"
)
STEP_LINE = re.compile(
    rf"^(?P<indent> +)(?P<name>\S+) +(?P<phase>{PHASES})\b(?: +-> (?P<result>.*))?$"
)
TABLE_HEADER = re.compile(r"^ *version +aliases +accuracy +run id$")
TABLE_ROW = re.compile(
    r"^ *(?P<version>\d+) +(?P<aliases>.+?) +(?P<accuracy>[\d.]+|-) +(?P<run>\S+)$"
)


@dataclass
class SummaryWorkflow:
    """One workflow of a printed run summary: phase, steps (phase, result), children."""

    name: str
    template: str
    phase: str
    steps: dict[str, tuple[str, str]] = field(default_factory=dict)
    children: list[SummaryWorkflow] = field(default_factory=list)

    def walk(self) -> list[SummaryWorkflow]:
        """This workflow, then its children and theirs."""
        return [self, *(w for child in self.children for w in child.walk())]


@dataclass(frozen=True)
class TableRow:
    """One row of the registry table that ``versions_table`` prints."""

    version: int
    aliases: tuple[str, ...]


def summaries(text: str) -> list[SummaryWorkflow]:
    """Every top-level run summary in ``text``, with its child workflows nested."""
    found: list[SummaryWorkflow] = []
    stack: list[tuple[int, SummaryWorkflow]] = []
    for line in text.splitlines():
        line = line.rstrip()
        if match := WORKFLOW_LINE.match(line):
            indent = len(match["indent"])
            workflow = SummaryWorkflow(match["name"], match["template"], match["phase"])
            while stack and stack[-1][0] >= indent:
                stack.pop()
            if stack and indent > 0:
                stack[-1][1].children.append(workflow)
            elif indent == 0:
                found.append(workflow)
            else:
                continue
            stack.append((indent, workflow))
        elif (match := STEP_LINE.match(line)) and stack:
            indent = len(match["indent"])
            owner = next((w for i, w in reversed(stack) if i == indent - 2), None)
            if owner is not None:
                owner.steps[match["name"]] = (match["phase"], (match["result"] or "").strip())
    return found


def registry_tables(text: str) -> list[list[TableRow]]:
    """Every registry table in ``text``, newest version first as printed."""
    tables: list[list[TableRow]] = []
    rows: list[TableRow] | None = None
    for line in text.splitlines():
        line = line.rstrip()
        if TABLE_HEADER.match(line):
            rows = []
            tables.append(rows)
        elif rows is not None and (match := TABLE_ROW.match(line)):
            aliases = () if match["aliases"].strip() == "-" else match["aliases"].split(", ")
            rows.append(TableRow(int(match["version"]), tuple(a.strip() for a in aliases)))
        else:
            rows = None
    return tables
