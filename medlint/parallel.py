"""Work spread over worker processes (`--jobs`): answers in the order of the tasks, crashes contained.

One `Workers` pool serves a whole run: it is started when the first batch of tasks arrives (before the
project is loaded into the main process, so the workers stay small) and reused by the later batches (the
line hashes of the fingerprints). A worker that stops without answering (a segmentation fault in a C
extension, the kernel's out-of-memory killer, a `kill -9`) never hangs or ends the run: the unanswered tasks
run again in a fresh pool, then each alone in a process of its own, and a task that stops even its own
process is answered with `Stopped`, which the caller turns into a finding. Answers never depend on which
worker ran what, so the output of `--jobs N` is that of `--jobs 1`.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # multiprocessing and concurrent.futures load only when a pool starts (start-up time)
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.context import BaseContext

Task = TypeVar("Task")
Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class Stopped:
    """The answer for a task whose worker process stopped before answering, even when run alone."""

    reason: str  # "killed by signal SIGKILL", "exited with status 3"


@dataclass(frozen=True, slots=True)
class _Raised:
    """An exception the task function raised (a bug, not a crash): raised again in the main process."""

    error: BaseException


def default_jobs() -> int:
    """The CPUs this process may run on (the `--jobs` default)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _context() -> BaseContext:
    """Fork where the platform has it (workers start at once with the modules loaded); else spawn."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


class Workers:
    """Up to `jobs` worker processes for one run; use as a context manager so they always end."""

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def started(self) -> bool:
        """Whether worker processes are running (they start with the first batch of tasks)."""
        return self._pool is not None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def run(
        self,
        function: Callable[[Task], Result],
        tasks: Sequence[Task],
        weights: Sequence[float] | None = None,
        on_answer: Callable[[int, Result], None] | None = None,
        meanwhile: Callable[[], None] | None = None,
    ) -> list[Result | Stopped]:
        """`function(task)` for every task; the answers in the order of `tasks`.

        `function` must be a module-level function, tasks and answers picklable. `weights` (an estimate of
        each task's cost) starts the heaviest tasks first, so no worker is left with a large one at the end.
        `on_answer(index, answer)` is called here as each answer from the pool arrives, so the caller can
        use the first answers while the workers compute the rest. `meanwhile()` is called here once, while
        the workers compute (or at the end, when no task went to them): work of the caller's own that does
        not need the answers.
        """
        still_to_do = [meanwhile] if meanwhile is not None else []
        order = sorted(
            range(len(tasks)), key=lambda index: (-weights[index], index) if weights else (0, index)
        )
        answers: dict[int, Any] = {}
        alone: Callable[[Callable[[Task], Result], Task], Any] = _run_alone
        try:
            for _attempt in range(2):  # a pool broken by a crash is replaced once; then each task runs alone
                pending = [index for index in order if index not in answers]
                if not pending or self._run_in_pool(
                    function, tasks, pending, answers, on_answer, still_to_do
                ):
                    break
        except OSError:  # no process or shared memory to start a pool with (a limited container): all here
            self.close()
            alone = _run_here
        while still_to_do:
            still_to_do.pop()()
        for index in order:
            if index not in answers:
                answers[index] = alone(function, tasks[index])
        return [_unwrap(answers[index]) for index in range(len(tasks))]

    def _run_in_pool(
        self,
        function: Callable[[Task], Result],
        tasks: Sequence[Task],
        pending: list[int],
        answers: dict[int, Any],
        on_answer: Callable[[int, Any], None] | None = None,
        still_to_do: list[Callable[[], None]] | None = None,
    ) -> bool:
        """Run the pending tasks in the pool; False when a worker stopped (the pool is then dropped)."""
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
        from concurrent.futures.process import BrokenProcessPool

        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=_context())
        futures: dict[Future[Any], int] = {}
        try:
            for index in pending:
                futures[self._pool.submit(_pickled, function, tasks[index])] = index
        except BrokenProcessPool:
            pass
        while still_to_do:
            still_to_do.pop()()
        remaining = set(futures)
        broken = len(futures) < len(pending)
        while remaining and not broken:
            done, remaining = wait(remaining, return_when=FIRST_COMPLETED)
            for future in done:
                index = futures.pop(future)  # dropped at once: the future holds the answer's bytes
                try:
                    answers[index] = _unpickled(future.result())
                    if on_answer is not None:
                        on_answer(index, answers[index])
                except BrokenProcessPool:
                    broken = True
                except Exception as error:  # the function raised: a bug, reported as in a serial run
                    answers[index] = _Raised(error)
        if broken:
            self.close()
        return not broken


Shared = TypeVar("Shared")


def run_shared(
    function: Callable[[Shared, Task], Result], shared: Shared, tasks: Sequence[Task], jobs: int
) -> list[Result]:
    """`function(shared, task)` for every task, the answers in the order of `tasks`, computed by this process
    and `jobs - 1` children forked from it. The children share `shared` (a loaded project) page by page
    instead of receiving a copy; only their answers are pickled. Every process takes the next task from a
    common counter, so a slow task does not leave the others idle.

    Where processes cannot be forked, every task runs here. The tasks of a child that stops without
    answering (killed by the out-of-memory killer, say) run again here, so the answers never depend on how
    the work was shared; an exception in `function` is raised here, as in a serial run.
    """
    import functools
    import multiprocessing

    if jobs < 2 or len(tasks) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [function(shared, task) for task in tasks]
    context: Any = multiprocessing.get_context("fork")
    try:
        counter = context.Value("i", 0)
    except OSError:  # no shared memory for a lock (a container without /dev/shm): all here
        return [function(shared, task) for task in tasks]
    turns = functools.partial(_take_turns, counter, function, shared, tasks)
    children = []
    for _ in range(min(jobs, len(tasks)) - 1):
        try:
            children.append(_child(context, turns, None))
        except OSError:  # no process to spare (a limit on processes): this process takes more turns
            break
    answers: dict[int, Any] = dict(turns(None))
    for child in children:
        answered, _exit_code = _answer_of(*child)
        if answered is not None and not answered[0]:
            raise answered[1]
        if answered is not None:
            answers.update(_unpickled(answered[1]))
    for index, task in enumerate(tasks):  # taken by a child that stopped: run here
        if index not in answers:
            answers[index] = function(shared, task)
    return [answers[index] for index in range(len(tasks))]


def _take_turns(
    counter: Any, function: Callable[[Any, Any], Any], shared: Any, tasks: Sequence[Any], _: None
) -> list[tuple[int, Any]]:
    """Take the next task from the common counter until none is left: (index, answer) of those taken."""
    done: list[tuple[int, Any]] = []
    while True:
        with counter.get_lock():
            index = counter.value
            counter.value = index + 1
        if index >= len(tasks):
            return done
        done.append((index, function(shared, tasks[index])))


def _pickled(function: Callable[[Task], Result], task: Task) -> bytes:
    """Run in a worker: the answer, pickled here so the main process unpickles it on its own terms."""
    import io

    answer = function(task)
    buffer = io.BytesIO()
    with _collector_paused():
        _model_pickler(buffer).dump(answer)
    return buffer.getvalue()


def _model_pickler(buffer: Any) -> Any:
    """A pickler that writes frozen slotted dataclasses (the model's value types, tens of thousands per
    answer) as their class, field names and values, rebuilt by `_rebuilt`. The default goes through
    dataclasses' `__getstate__`/`__setstate__`, which look the fields up again for every object: a third of
    the time spent moving a parsed project between processes."""
    import pickle

    class ModelPickler(pickle.Pickler):
        def __init__(self, file: Any) -> None:
            super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
            self.layouts: dict[type, tuple[tuple[str, ...], Callable[[Any], Any]] | None] = {}

        def reducer_override(self, obj: Any) -> Any:
            kind = type(obj)
            if kind in self.layouts:
                layout = self.layouts[kind]
            else:
                layout = self.layouts[kind] = _layout(kind)
            if layout is None:
                return NotImplemented
            names, values = layout
            return _rebuilt, (kind, names, values(obj))

    return ModelPickler(buffer)


def _layout(kind: type) -> tuple[tuple[str, ...], Any] | None:
    """For a frozen dataclass with slots: its field names (one tuple per class, so pickle writes it once) and
    a function giving an object's values in that order; None for any other type (pickled as usual)."""
    import dataclasses
    import operator

    params = getattr(kind, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in kind.__dict__:
        return None
    names = tuple(field.name for field in dataclasses.fields(kind))
    if not names:
        return None
    getter = operator.attrgetter(*names)
    return names, (getter if len(names) > 1 else lambda obj: (getter(obj),))


def _rebuilt(kind: type, names: tuple[str, ...], values: tuple[Any, ...]) -> Any:
    """A frozen dataclass from its field values, as its `__setstate__` would set them (no `__init__`, so no
    `__post_init__` runs again)."""
    obj: Any = object.__new__(kind)
    for name, value in zip(names, values):
        object.__setattr__(obj, name, value)
    return obj


def _unpickled(data: bytes) -> Any:
    """An answer from its bytes. A parsed project is millions of small objects that are all kept: with the
    cyclic garbage collector running, unpickling them takes five times as long, for nothing to collect."""
    import pickle  # only when workers ran (a small scan never starts them)

    with _collector_paused():
        return pickle.loads(data)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _unwrap(answer: Any) -> Any:
    if isinstance(answer, _Raised):
        raise answer.error
    return answer


def _run_here(function: Callable[[Task], Result], task: Task) -> Any:
    """One task in this process, when no other can be started: its answer, or the exception it raised."""
    try:
        return function(task)
    except Exception as error:
        return _Raised(error)


def _run_alone(function: Callable[[Task], Result], task: Task) -> Any:
    """One task in a process of its own: its answer, or why the process stopped."""
    answered, exit_code = _answer_of(*_child(_context(), function, task))
    if answered is None:
        return Stopped(_exit_reason(exit_code))
    succeeded, value = answered
    return _unpickled(value) if succeeded else _Raised(value)


def _child(context: Any, function: Callable[[Any], Any], task: Any) -> tuple[Any, Any]:
    """A started child process computing `function(task)`, and the end of the pipe its answer comes on.
    (`context` is a start-method context: it has Process and Pipe, which BaseContext's stub lacks.)"""
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_answer, args=(sender, function, task), daemon=True)
    process.start()
    sender.close()
    return process, receiver


def _answer_of(process: Any, receiver: Any) -> tuple[tuple[bool, Any] | None, int | None]:
    """A child's answer as `_answer` sent it (None when it stopped first), once it has ended, and its exit
    code."""
    try:
        answered: tuple[bool, Any] | None = receiver.recv()
    except EOFError:
        answered = None
    finally:
        receiver.close()
    process.join()
    return answered, process.exitcode


def _answer(sender: Any, function: Callable[[Any], Any], task: Any) -> None:
    try:
        answer: tuple[bool, Any] = (True, _pickled(function, task))
    except Exception as error:
        answer = (False, error)
    sender.send(answer)
    sender.close()


def _exit_reason(code: int | None) -> str:
    import signal

    if code is not None and code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with status {code}"
