"""Where a batch's runs execute: in this process, in a local process pool, or on a Dask cluster.

Each backend is a ``concurrent.futures.Executor``; the runner does not care which.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, InvalidStateError, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from ..diagnostics import DrillError
from ..i18n import t
from .job import ignore_interrupts, worker_pid
from .runner import StopBatch

BACKENDS = ("local", "dask")  # also listed in drill.commands.batch, which loads this lazily
WORKER_TIMEOUT = 120.0  # seconds a Dask cluster may have no worker before the batch gives up


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class InlineExecutor(Executor):
    """Runs each call at once in this process: one worker, no start-up cost, Ctrl-C as usual."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_running_or_notify_cancel()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # handed back like any executor would; Ctrl-C goes through
            future.set_exception(exc)
        return future


@contextmanager
def _ctrl_c_for_this_process_only() -> Iterator[None]:
    """Processes started inside are born with SIGINT blocked, and stay deaf to it.

    Ctrl-C reaches every process of the terminal's foreground group; only this one should act
    on it (stop submitting, keep what finished). A Ctrl-C pressed meanwhile is not lost: it is
    delivered here on the way out.
    """
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


# what stops a batch as Ctrl-C does: ``kill`` (SIGTERM) and a closed terminal (SIGHUP)
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class Stopped(KeyboardInterrupt):
    """A stop signal, handled where Ctrl-C is: nothing new is sent, the pool is shut down and
    waited for, and the runs that finished are kept."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class StopRequest:
    """The signals that stop a batch (Ctrl-C, SIGTERM, SIGHUP), and when they act.

    In this process alone they act at once (an exception in the main thread, as Ctrl-C does). With
    a pool or a cluster they are ``deferred``: noted, and acted on by the runner at its next look,
    a fraction of a second later — an exception raised anywhere else could land inside the pool's
    own machinery while it starts a worker, and be lost there or end in a traceback."""

    def __init__(self, defer: bool = False) -> None:
        self.defer = defer
        self.received: list[int] = []

    def is_set(self) -> bool:
        return bool(self.received)

    def exception(self) -> KeyboardInterrupt:
        signum = self.received[0]
        return KeyboardInterrupt() if signum == signal.SIGINT else Stopped(signum)

    def __call__(self, signum: int, _frame: Any) -> None:
        first = not self.received
        self.received.append(signum)
        if first and not self.defer:  # a second signal while stopping must not break the clean-up
            raise self.exception()


@contextmanager
def stop_on_signals(defer: bool = False) -> Iterator[StopRequest]:
    """Within the block, Ctrl-C, SIGTERM and SIGHUP stop the batch (see ``StopRequest``); the
    request yielded says which came first. Without this, a killed batch dies at once and leaves
    its pool's processes behind."""
    request = StopRequest(defer)
    if threading.current_thread() is not threading.main_thread():
        yield request
        return
    old = {sig: signal.signal(sig, request) for sig in (signal.SIGINT, *STOP_SIGNALS)}
    try:
        yield request
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def ignore_stop_signals() -> None:
    """Workers leave Ctrl-C, SIGTERM and SIGHUP to the parent, which stops the batch cleanly
    (a signal to the whole process group reaches them too)."""
    ignore_interrupts()
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)


@contextmanager
def _deaf_to_stop_signals() -> Iterator[None]:
    """Processes started inside ignore SIGTERM and SIGHUP (an ignored signal stays ignored across
    exec): the fork server and the resource tracker end when this process does, after it has
    shut its pool down."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {sig: signal.signal(sig, signal.SIG_IGN) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _context() -> multiprocessing.context.BaseContext:
    # forkserver: workers start from a clean, pre-imported process (fork beside the progress
    # bar's thread or a Dask client is unsafe, spawn re-imports everything in every worker)
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["drill.batch.job"])
        from multiprocessing import forkserver, resource_tracker

        # the resource tracker (which ignores Ctrl-C itself) unblocks SIGINT when it starts:
        # start it first; then the server, whose forked workers inherit its blocked SIGINT. Both
        # ignore the stop signals too: one sent to the whole group must not kill the server
        # before this process has shut the pool down (a dead server looks like dead workers,
        # and a pool that thinks so leaves its live workers behind)
        with _deaf_to_stop_signals():
            resource_tracker.ensure_running()
            with _ctrl_c_for_this_process_only():
                forkserver.ensure_running()
        return ctx
    return multiprocessing.get_context("spawn")


@contextmanager
def local_executor(workers: int) -> Iterator[tuple[Executor, int]]:
    if workers <= 1:
        yield InlineExecutor(), 1
        return
    # the initializer also covers platforms without a fork server
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=ignore_stop_signals)
    try:
        _start_every_worker(pool, workers)
        yield pool, workers
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _start_every_worker(pool: ProcessPoolExecutor, workers: int, timeout: float = 60.0) -> None:
    """Start all the pool's workers now and wait until each has answered: a pool shut down (by a
    Ctrl-C) while a worker is still being born leaves that worker to die on the pool's queues,
    already gone, with a traceback on the terminal. Once all are up, no other is ever started."""
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while len(seen) < workers and time.monotonic() < deadline:
        seen.update(f.result() for f in [pool.submit(worker_pid) for _ in range(workers)])


def _on_worker(fn: Callable[..., Any], *args: Any) -> tuple[str, Any]:
    """Run ``fn`` on a Dask worker, saying which one ran it."""
    from distributed import get_worker

    return get_worker().address, fn(*args)


class _DaskFuture(Future):
    """A future of the runner's, for a Dask future: cancelling it cancels the task on the cluster."""

    def __init__(self) -> None:
        super().__init__()
        self.task: Any = None

    def cancel(self) -> bool:
        if self.task is not None:
            self.task.cancel()
        return super().cancel()


class DaskPool(Executor):
    """Runs calls on a Dask cluster, and gives up when it has had no worker for ``timeout`` seconds.

    Dask keeps a task waiting for as long as no worker is there to take it: without a limit, a
    batch whose workers are all gone would wait forever, without a word. ``workers_used`` is how
    many workers returned results, which is what the batch reports."""

    def __init__(self, client: Any, timeout: float, poll: float = 0.5) -> None:
        self.client = client
        self.timeout = timeout
        self.poll = poll
        self.workers_seen: set[str] = set()
        self._pending: set[_DaskFuture] = set()
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._gave_up: StopBatch | None = None
        self._watch = threading.Thread(target=self._watchdog, name="drill-dask-watchdog", daemon=True)
        self._watch.start()

    @property
    def workers_used(self) -> int:
        return len(self.workers_seen)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if self._gave_up is not None:
            raise self._gave_up
        outer = _DaskFuture()
        with self._lock:
            self._pending.add(outer)
        outer.task = self.client.submit(_on_worker, fn, *args, pure=False, **kwargs)
        outer.task.add_done_callback(lambda task: self._settle(outer, task))
        return outer

    def _settle(self, outer: _DaskFuture, task: Any) -> None:
        try:
            worker, value = task.result()
        except BaseException as exc:  # the task's own error (or its cancellation), handed back
            self._finish(outer, exc=exc)
        else:
            with self._lock:
                self.workers_seen.add(worker)
            self._finish(outer, value=value)

    def _finish(self, outer: _DaskFuture, value: Any = None, exc: BaseException | None = None) -> None:
        with self._lock:
            self._pending.discard(outer)
            if outer.done():  # cancelled, or given up on
                return
            try:
                if exc is not None:
                    outer.set_exception(exc)
                else:
                    outer.set_result(value)
            except InvalidStateError:  # cancelled meanwhile
                pass

    def _alive(self) -> int:
        if self.client.status != "running":  # the scheduler itself is gone
            return 0
        return len(self.client.scheduler_info(n_workers=1).get("workers", {}))

    def _watchdog(self) -> None:
        last_alive = time.monotonic()
        while not self._closed.wait(self.poll):
            try:
                alive = self._alive()
            except Exception:  # a scheduler that does not answer has no worker to offer
                alive = 0
            now = time.monotonic()
            with self._lock:
                waiting = list(self._pending)
            if alive or not waiting:
                last_alive = now
                continue
            if now - last_alive >= self.timeout:
                self._give_up()
                last_alive = now

    def _give_up(self) -> None:
        self._gave_up = StopBatch(t("batch.no_workers", seconds=f"{self.timeout:g}"))
        with self._lock:
            waiting = list(self._pending)
        for outer in waiting:
            self._finish(outer, exc=self._gave_up)  # first: the task's cancellation is no answer
            if outer.task is not None:
                outer.task.cancel()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._closed.set()
        with self._lock:
            waiting = list(self._pending)
        for outer in waiting:
            outer.cancel()


@contextmanager
def dask_executor(
    workers: int, scheduler: str | None, timeout: float = WORKER_TIMEOUT
) -> Iterator[tuple[Executor, int]]:
    """A Dask cluster's executor and its worker threads: the cluster at ``scheduler``, or a local
    one bound to this machine."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise DrillError(t("batch.no_distributed")) from exc
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="20s")
        else:
            with _ctrl_c_for_this_process_only():
                cluster = LocalCluster(
                    n_workers=max(1, workers),
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    silence_logs=40,  # logging.ERROR: no worker chatter on the terminal
                )
            client = Client(cluster)
    except OSError as exc:
        raise DrillError(t("batch.no_scheduler", address=scheduler or "local", reason=str(exc))) from exc
    pool = DaskPool(client, timeout)
    try:
        threads = sum(client.nthreads().values())
        yield pool, max(1, threads)
    finally:
        pool.shutdown()
        client.close(timeout=10)  # a scheduler that is gone does not hold us up
        if cluster is not None:
            cluster.close()


def executor(
    backend: str, workers: int, scheduler: str | None = None, worker_timeout: float = WORKER_TIMEOUT
) -> Any:
    """A context manager giving the executor of ``backend`` and how many runs it works at once."""
    if backend == "dask":
        return dask_executor(workers, scheduler, worker_timeout)
    if scheduler:
        raise DrillError(t("batch.scheduler_needs_dask"))
    return local_executor(workers)
