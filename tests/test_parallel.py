"""`--jobs`: worker processes (medlint.parallel) give byte-identical reports, and a crash never hangs a run."""

from __future__ import annotations

import dataclasses
import datetime
import os
import signal
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from medlint import fingerprints, loader
from medlint.api import lint
from medlint.cli import main, without_jobs
from medlint.limits import Limits
from medlint.model import ArtifactKind
from medlint.model.location import HelmOrigin, Location
from medlint.parallel import Stopped, Workers, default_jobs, run_shared
from medlint.report import FORMATS
from tests.conftest import CORPUS, EXAMPLE, REPO_ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="worker crash tests use POSIX signals")

TODAY = "2026-12-07"


@pytest.fixture
def always_in_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use the workers even for scans smaller than the threshold that normally keeps them in one process."""
    monkeypatch.setattr(loader, "PARALLEL_MIN_FILES", 0)
    monkeypatch.setattr(fingerprints, "PARALLEL_MIN_FILES", 0)


# --- the pool ----------------------------------------------------------------------------------------


def square(number: int) -> int:
    return number * number


def square_or_die(number: int) -> int:
    if number == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return number * number


def square_or_fail(number: int) -> int:
    if number == 2:
        raise ValueError("a bug in the task function")
    return number * number


def process_id(_: int) -> int:
    return os.getpid()


def test_answers_come_in_the_order_of_the_tasks_whatever_the_weights() -> None:
    with Workers(2) as workers:
        assert workers.run(square, list(range(20)), weights=[index % 3 for index in range(20)]) == [
            number * number for number in range(20)
        ]


def test_tasks_run_in_other_processes() -> None:
    with Workers(2) as workers:
        pids = workers.run(process_id, list(range(8)))
    assert os.getpid() not in pids


def test_a_worker_killed_by_a_task_answers_stopped_for_that_task_only() -> None:
    with Workers(2) as workers:
        answers = workers.run(square_or_die, list(range(6)))
        assert answers[:3] == [0, 1, 4] and answers[4:] == [16, 25]
        assert answers[3] == Stopped("killed by signal SIGKILL")
        assert workers.run(square, [7]) == [49]  # the pool is usable again after a crash


def test_an_exception_in_the_task_function_is_raised_in_the_main_process() -> None:
    with Workers(2) as workers, pytest.raises(ValueError, match="a bug in the task function"):
        workers.run(square_or_fail, list(range(4)))


def located_finding(_: int) -> tuple[Location, ...]:
    origin = HelmOrigin("templates/deployment.yaml", 7, "values.yaml", inputs=frozenset())
    first = Location("charts/app/templates/deployment.yaml", 7, 3, 7, 9, helm=origin)
    return (first, first, Location("Dockerfile", 2))


def test_model_values_come_back_equal_with_shared_objects_still_shared() -> None:
    with Workers(2) as workers:
        [answer] = workers.run(located_finding, [0])
    assert not isinstance(answer, Stopped)
    assert answer == located_finding(0)
    assert answer[0] is answer[1]  # one object sent once, as pickle does for any object
    assert answer[0].helm == located_finding(0)[0].helm  # helm takes no part in Location's equality
    with pytest.raises(dataclasses.FrozenInstanceError):
        answer[2].line = 3  # type: ignore[misc]


def offset_by_shared(shared: list[int], task: int) -> tuple[int, int]:
    time.sleep(0.02)  # long enough for the forked child to start and take tasks too
    return shared[0] + task, os.getpid()


def offset_or_die(shared: list[int], task: int) -> tuple[int, int]:
    if task == 3 and os.getpid() != shared[1]:  # only in a child: kill it mid-way
        os.kill(os.getpid(), signal.SIGKILL)
    return shared[0] + task, os.getpid()


def offset_or_fail(shared: list[int], task: int) -> int:
    if task == 5:
        raise ValueError("a bug in the shared function")
    return shared[0] + task


def test_shared_work_answers_in_task_order_from_this_process_and_a_forked_child() -> None:
    shared = [100]
    answers = run_shared(offset_by_shared, shared, list(range(40)), jobs=2)
    assert [value for value, _ in answers] == [100 + task for task in range(40)]
    assert {pid for _, pid in answers} - {os.getpid()}, "no task ran in a child"


def test_shared_work_of_a_killed_child_runs_again_here() -> None:
    answers = run_shared(offset_or_die, [100, os.getpid()], list(range(8)), jobs=2)
    assert [value for value, _ in answers] == [100 + task for task in range(8)]


def test_shared_work_raises_the_functions_exception_here() -> None:
    with pytest.raises(ValueError, match="a bug in the shared function"):
        run_shared(offset_or_fail, [100], list(range(8)), jobs=2)


def test_shared_work_with_one_job_stays_in_this_process() -> None:
    answers = run_shared(offset_by_shared, [0], list(range(5)), jobs=1)
    assert answers == [(task, os.getpid()) for task in range(5)]


def test_each_answer_is_given_to_the_caller_as_it_arrives() -> None:
    arrived: list[tuple[int, int]] = []
    with Workers(2) as workers:
        answers = workers.run(
            square, list(range(12)), on_answer=lambda index, answer: arrived.append((index, answer))
        )
    assert sorted(arrived) == [(index, index * index) for index in range(12)]
    assert answers == [index * index for index in range(12)]


def test_the_callers_own_work_runs_once_while_the_workers_compute() -> None:
    calls: list[int] = []
    with Workers(2) as workers:
        answers = workers.run(square, list(range(6)), meanwhile=lambda: calls.append(os.getpid()))
        assert calls == [os.getpid()]
        assert workers.run(square, [], meanwhile=lambda: calls.append(0)) == []
    assert answers == [index * index for index in range(6)]
    assert calls == [os.getpid(), 0]  # also when no task went to the workers


def test_default_jobs_is_the_cpus_this_process_may_use() -> None:
    assert 1 <= default_jobs() <= (os.cpu_count() or 1)


def test_the_recorded_command_line_leaves_out_jobs() -> None:
    arguments = ["check", "--jobs", "2", ".", "-j", "3", "--jobs=4", "-j5", "--format", "json", "--", "-j"]
    assert without_jobs(arguments) == ["check", ".", "--format", "json", "--", "-j"]


# --- byte-identical reports ----------------------------------------------------------------------------


def _check(arguments: list[str], cwd: Path, jobs: int) -> str:
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(
            main, ["check", *arguments, "--today", TODAY, "--exit-zero", "--jobs", str(jobs)]
        )
    finally:
        os.chdir(previous)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("output_format", FORMATS)
def test_the_example_gives_the_same_bytes_with_one_job_and_with_two(
    always_in_workers: None, output_format: str
) -> None:
    arguments = [EXAMPLE, "--format", output_format]
    assert _check(arguments, REPO_ROOT, 2) == _check(arguments, REPO_ROOT, 1)


def test_every_fixture_gives_the_same_report_with_one_job_and_with_two(always_in_workers: None) -> None:
    """Broken files (MD001), unrenderable charts (MD003) and every artifact kind, in one scan."""
    arguments = ["fixtures", "--format", "sarif", "--chart-path", "fixtures"]
    assert _check(arguments, REPO_ROOT, 2) == _check(arguments, REPO_ROOT, 1)


def test_the_files_read_and_their_digests_are_the_same_with_one_job_and_with_two(
    always_in_workers: None,
) -> None:
    """The evidence report lists every file the run read with its SHA-256: workers read most of them."""
    reports = {
        jobs: lint([EXAMPLE], cwd=REPO_ROOT, today=datetime.date(2026, 12, 7), jobs=jobs) for jobs in (1, 2)
    }
    assert reports[1].file_digests  # the example's files, its chart's templates among them
    assert any(path.endswith(".tpl") or "/templates/" in path for path in reports[1].file_digests)
    assert reports[2].file_digests == reports[1].file_digests


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_a_corpus_subset_gives_the_same_bytes_with_one_job_and_with_two(tmp_path: Path) -> None:
    """Real files of every kind with the default thresholds (the whole corpus: benchmarks/bench_jobs.py)."""
    paths = [
        "compose",
        "dockerfile/docker_awesome-compose",
        "k8s/argoproj_argo-workflows",
        "helm/prometheus-community_helm-charts/prometheus-to-sd",
        "helm/grafana_helm-charts/loki-stack",
    ]
    reports = {}
    for jobs in (1, 2):
        outputs = [f"-o{fmt}={tmp_path / f'{jobs}.{fmt}'}" for fmt in ("json", "sarif")]
        arguments = [*paths, *outputs, "--chart-path", "helm/bitnami_charts"]
        text = _check(arguments, CORPUS, jobs)
        reports[jobs] = [text, *((tmp_path / f"{jobs}.{fmt}").read_bytes() for fmt in ("json", "sarif"))]
    assert reports[2] == reports[1]


def test_the_run_render_budget_stops_the_same_charts_with_workers(always_in_workers: None) -> None:
    """The render budget of a run is spent chart after chart; workers render charts side by side, yet the
    charts it stops (MD003 "per run") are those a single process stops."""
    limits = Limits(max_render_steps_per_run=400, max_render_steps_per_chart=400)
    reports = [
        lint(["fixtures", EXAMPLE], cwd=REPO_ROOT, limits=limits, today=datetime.date(2026, 12, 7), jobs=jobs)
        for jobs in (1, 2)
    ]
    found = [[(f.rule_id, f.location.path, f.message) for f in r.result.findings] for r in reports]
    assert found[1] == found[0]
    assert (
        sum("render budget exceeded: evaluation steps per run" in message for _, _, message in found[0]) > 1
    )


# --- a worker that crashes -----------------------------------------------------------------------------

_load_task = loader._load_task


def dies_on_broken(task: loader._LoadTask) -> object:
    """A worker that is killed (as by the kernel's out-of-memory killer) on the files named broken."""
    names = [candidate.relative for candidate in task.candidates]
    if task.chart is not None:
        names.append(task.chart.relative)
    if any("broken" in name for name in names):
        os.kill(os.getpid(), signal.SIGKILL)
    return _load_task(task)


def _project_tree(root: Path) -> None:
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  key: value\n"
    for index in range(40):
        (root / f"cm-{index:02}.yaml").write_text(manifest.format(name=f"cm-{index}"), encoding="utf-8")
    (root / "broken.yaml").write_text(manifest.format(name="broken"), encoding="utf-8")
    chart = root / "broken-chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: broken-chart\nversion: 1.0.0\n", encoding="utf-8"
    )
    (chart / "templates" / "cm.yaml").write_text(manifest.format(name="from-chart"), encoding="utf-8")


def test_a_killed_worker_becomes_a_finding_on_its_file_and_the_rest_is_checked(
    always_in_workers: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _project_tree(tmp_path)
    monkeypatch.setattr(loader, "_load_task", dies_on_broken)
    report = lint(["."], cwd=tmp_path, jobs=2)
    stopped = [finding for finding in report.result.findings if "worker process" in finding.message]
    assert sorted((finding.rule_id, finding.location.path) for finding in stopped) == [
        ("MD001", "broken.yaml"),
        ("MD003", "broken-chart/Chart.yaml"),
    ]
    assert all("stopped (killed by signal SIGKILL)" in finding.message for finding in stopped)
    analysed = {item.path for item in report.project.files if item.analysed}
    assert {f"cm-{index:02}.yaml" for index in range(40)} <= analysed
    assert "broken.yaml" not in analysed
    assert any(item.kind is ArtifactKind.KUBERNETES for item in report.project.files)


def test_an_umbrella_chart_weighs_what_it_takes_from_the_chart_paths(tmp_path: Path) -> None:
    """Its own folder is small, its render is not: the dependency found in a chart path counts, so the
    chart is not left to the end of the run with one core idle."""
    from medlint.discover import ChartUnit
    from medlint.reader import FileReader

    umbrella = tmp_path / "umbrella"
    (umbrella / "templates").mkdir(parents=True)
    (umbrella / "Chart.yaml").write_text(
        "apiVersion: v2\nname: umbrella\nversion: 1.0.0\ndependencies:\n"
        "  - name: big\n    version: 1.0.0\n    repository: https://example.com/charts\n"
        "  - name: ../outside\n    version: 1.0.0\n",
        encoding="utf-8",
    )
    big = tmp_path / "paths" / "big"
    (big / "templates").mkdir(parents=True)
    (big / "Chart.yaml").write_text("apiVersion: v2\nname: big\nversion: 1.0.0\n", encoding="utf-8")
    (big / "templates" / "all.yaml").write_text("kind: ConfigMap\n" * 5000, encoding="utf-8")
    unit = ChartUnit(umbrella, "umbrella")
    alone = loader._Collector(root=tmp_path, reader=FileReader(tmp_path))
    with_paths = loader._Collector(
        root=tmp_path, reader=FileReader(tmp_path), chart_paths=(tmp_path / "paths",)
    )
    own = loader._chart_weight(unit, alone, {})
    assert own == loader._tree_size(umbrella)
    assert loader._chart_weight(unit, with_paths, {}) == own + loader._tree_size(big)


def test_every_run_of_files_is_loaded_before_any_chart(tmp_path: Path) -> None:
    """The Compose projects and build contexts are made of the files' parts: with the runs of files first,
    this process builds them while the workers render the charts, instead of after the last chart."""
    from medlint.discover import discover
    from medlint.reader import FileReader

    for index in range(loader.PARALLEL_MIN_FILES):
        (tmp_path / f"cm-{index:02}.yaml").write_text("kind: ConfigMap\n", encoding="utf-8")
    for name, lines in (("small", 1), ("large", 5000)):
        chart = tmp_path / name
        (chart / "templates").mkdir(parents=True)
        (chart / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 1.0.0\n", encoding="utf-8")
        (chart / "templates" / "all.yaml").write_text("kind: ConfigMap\n" * lines, encoding="utf-8")
    discovery = discover([str(tmp_path)], tmp_path)
    collector = loader._Collector(root=tmp_path, reader=FileReader(tmp_path))
    with Workers(2) as workers:
        plan = loader._plan(collector, discovery, set(), workers)
    assert plan is not None and len(plan.chart_tasks) == 2 and len(plan.file_tasks) == 3
    file_weights = plan.weights[: len(plan.file_tasks)]
    chart_weights = plan.weights[len(plan.file_tasks) :]
    assert min(file_weights) > max(chart_weights)
    large = [task.chart.relative for task in plan.chart_tasks if task.chart is not None].index("large")
    assert chart_weights[large] == max(chart_weights)


def test_shared_work_runs_here_when_no_child_can_be_started(monkeypatch: pytest.MonkeyPatch) -> None:
    from medlint import parallel

    def no_process(*_arguments: object) -> None:
        raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr(parallel, "_child", no_process)
    answers = run_shared(offset_by_shared, [100], list(range(4)), jobs=2)
    assert answers == [(100 + task, os.getpid()) for task in range(4)]


def test_tasks_run_here_when_no_pool_can_be_started(monkeypatch: pytest.MonkeyPatch) -> None:
    import concurrent.futures

    def no_pool(*_arguments: object, **_options: object) -> None:
        raise OSError("[Errno 38] Function not implemented")  # no /dev/shm for the pool's locks

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    with Workers(2) as workers:
        assert workers.run(process_id, [0, 1]) == [os.getpid(), os.getpid()]
        with pytest.raises(ValueError, match="a bug in the task function"):
            workers.run(square_or_fail, [1, 2])


def test_a_chart_yaml_too_large_to_weigh_names_no_dependency(tmp_path: Path) -> None:
    """Weighing is an estimate: it reads at most MAX_WEIGHED_CHART_YAML_BYTES of a Chart.yaml."""
    from medlint.discover import ChartUnit
    from medlint.reader import FileReader

    umbrella = tmp_path / "umbrella"
    umbrella.mkdir()
    padding = "# " + "x" * 98 + "\n"
    (umbrella / "Chart.yaml").write_text(
        "apiVersion: v2\nname: umbrella\nversion: 1.0.0\ndependencies:\n  - name: big\n"
        + padding * (loader.MAX_WEIGHED_CHART_YAML_BYTES // len(padding) + 1),
        encoding="utf-8",
    )
    big = tmp_path / "paths" / "big"
    big.mkdir(parents=True)
    (big / "Chart.yaml").write_text("apiVersion: v2\nname: big\nversion: 1.0.0\n", encoding="utf-8")
    collector = loader._Collector(
        root=tmp_path, reader=FileReader(tmp_path), chart_paths=(tmp_path / "paths",)
    )
    assert loader._chart_weight(ChartUnit(umbrella, "umbrella"), collector, {}) == loader._tree_size(umbrella)
