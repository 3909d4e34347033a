"""What travels to a worker, and what a worker does with it.

A job is texts (the scenario as written, its overrides, the topology by bundled name or as text,
the decisions file), so it can go to another process or another machine; a worker parses it once
and then runs seed after seed. Results come back as a few figures per run, never event logs.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from ..data import bundled_topologies
from ..diagnostics import DrillError
from ..engine import Simulation
from ..engine import events as ev
from ..engine.commands import TimedCommand
from ..i18n import t
from ..metrics import Metrics
from ..model.city import City, build_city
from ..model.load import Scenario
from ..model.scenario import ScenarioSpec
from ..model.validation import validate_model
from ..topology_export import topology_document
from ..yamlio import load_json, load_yaml
from .figures import read_figures, services_of_interest
from .overrides import Override, apply_overrides

# a batch's seeds are numbers a user can pass to ``drill run --seed`` (the scenario allows < 2**63)
SEED_BITS = 63


def run_seed(base: int, index: int) -> int:
    """The seed of run ``index``: fixed by the batch seed alone, whatever the workers or backend."""
    digest = hashlib.sha256(f"{base}/{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - SEED_BITS)


@dataclass(frozen=True)
class Job:
    """One arm of a batch, as texts."""

    scenario_text: str
    scenario_file: str
    overrides: tuple[tuple[str, str, Any], ...]  # (text, key, value) of each --set
    topology_name: str  # the scenario's ``topology:`` value
    topology_bundled: bool  # found by name where the worker runs; else ``topology_text`` travels
    topology_text: str
    topology_sha256: str
    decisions_text: str = ""
    decisions_file: str = ""
    # a topology that extends another, written out whole: the worker may not have its files
    topology_json: str = ""

    @cached_property
    def key(self) -> str:
        blob = json.dumps(
            [
                self.scenario_text,
                [list(o[:2]) + [repr(o[2])] for o in self.overrides],
                self.topology_name,
                self.topology_sha256,
                self.decisions_text,
            ]
        )
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("key", None)
        if self.topology_bundled:
            state["topology_text"] = ""  # the worker reads its own copy, and checks the hash
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


def make_job(scenario: Scenario, overrides: list[Override], decisions: tuple[str, str] = ("", "")) -> Job:
    """The job for a scenario already loaded and checked in this process."""
    folder = Path(scenario.file).parent
    name = scenario.spec.topology
    bundled = bundled_topologies().get(name)
    local = (folder / name).resolve()
    is_bundled = bundled is not None and not local.is_file()
    return Job(
        scenario_text=scenario.text,
        scenario_file=scenario.file,
        overrides=tuple((o.text, o.key, o.value) for o in overrides),
        topology_name=name,
        topology_bundled=is_bundled,
        topology_text=scenario.topology_text,
        topology_sha256=scenario.topology_sha256,
        decisions_text=decisions[0],
        decisions_file=decisions[1],
        topology_json=_written_out(scenario),
    )


def _written_out(scenario: Scenario) -> str:
    """A topology that extends another, whole, for a worker that may not have its files."""
    if not scenario.city.spec.extends:
        return ""
    return json.dumps(topology_document(scenario.city), ensure_ascii=False)


@dataclass
class Prepared:
    scenario: Scenario
    decisions: list[TimedCommand]
    services: list[str]


# one parse per job and worker process; a worker keeps a few jobs (both arms of a comparison)
_PREPARED: dict[str, Prepared] = {}
_CITIES: dict[str, City] = {}
_KEEP = 8


def prepare(job: Job) -> Prepared:
    found = _PREPARED.get(job.key)
    if found is not None:
        return found
    doc = load_yaml(job.scenario_text, job.scenario_file)
    overrides = [Override(*o) for o in job.overrides]
    doc, _paths = apply_overrides(doc, overrides)
    spec, problems = validate_model(doc, ScenarioSpec)
    if spec is None:
        raise DrillError("\n".join(d.format() for d in problems), problems)
    city, topo_text = _city(job)
    scenario = Scenario(spec, city, job.scenario_file, job.scenario_text, topo_text)
    prepared = Prepared(scenario, decisions_from_text(job), services_of_interest(scenario))
    if len(_PREPARED) >= _KEEP:
        _PREPARED.pop(next(iter(_PREPARED)))
    _PREPARED[job.key] = prepared
    return prepared


def _city(job: Job) -> tuple[City, str]:
    text = job.topology_text
    name = job.topology_name
    if job.topology_bundled:
        path = bundled_topologies().get(name)
        text = path.read_text(encoding="utf-8") if path else ""
        name = str(path) if path else name
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != job.topology_sha256:
        # a worker with another drill version would run another city: refuse rather than mislead
        raise DrillError(t("batch.topology_differs", name=job.topology_name))
    city = _CITIES.get(job.topology_sha256)
    if city is None:
        if job.topology_json:
            doc = load_json(job.topology_json, name)
        else:
            doc = load_json(text, name) if name.endswith(".json") else load_yaml(text, name)
        built, problems = build_city(doc)
        if built is None:
            raise DrillError("\n".join(d.format() for d in problems), problems)
        city = _CITIES[job.topology_sha256] = built
    return city, text


def decisions_from_text(job: Job) -> list[TimedCommand]:
    if not job.decisions_text:
        return []
    name = job.decisions_file
    doc = (
        load_json(job.decisions_text, name) if name.endswith(".json") else load_yaml(job.decisions_text, name)
    )
    out = []
    for i in range(len(doc.data or [])):
        item, problems = validate_model(doc, TimedCommand, (i,))
        if item is None:
            raise DrillError("\n".join(d.format() for d in problems), problems)
        out.append(item)
    return sorted(out, key=lambda c: c.at)


def run_one(prepared: Prepared, index: int, seed: int) -> dict[str, Any]:
    """One run: its index, seed, figures, which objectives it met, and how many decisions were refused."""
    scenario = prepared.scenario
    sim = Simulation(scenario, seed=seed, keep_events=False)
    metrics = Metrics(scenario)
    sim.subscribe(metrics.feed)
    refused = [0]

    def count_refused(event: Any) -> None:
        if event.kind == ev.COMMAND_REFUSED:
            refused[0] += 1

    sim.subscribe(count_refused)
    sim.run(prepared.decisions)
    snap = metrics.snapshot(sim.now)
    return {
        "index": index,
        "seed": seed,
        "figures": read_figures(scenario, snap, prepared.services),
        "met": [o.met for o in snap.objectives],
        "refused": refused[0],
    }


def run_chunk(job: Job, arm: int, runs: list[tuple[int, int]]) -> tuple[int, list[dict[str, Any]]]:
    """Run ``(index, seed)`` pairs of one arm; the unit of work sent to a worker."""
    prepared = prepare(job)
    return arm, [run_one(prepared, index, seed) for index, seed in runs]


def worker_pid() -> int:
    """Which worker process this is (a moment's work, so that several calls meet several workers)."""
    time.sleep(0.05)
    return os.getpid()


def ignore_interrupts() -> None:
    """Worker processes leave Ctrl-C to the parent, which stops the batch cleanly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
