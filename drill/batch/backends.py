"""Where a batch's runs execute: in this process, in a local process pool, or on a Dask cluster.

Each backend is a ``concurrent.futures.Executor``; the runner does not care which.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from ..diagnostics import DrillError
from ..i18n import t
from .job import ignore_interrupts

BACKENDS = ("local", "dask")  # also listed in drill.commands.batch, which loads this lazily


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


@contextmanager
def stop_on_signals() -> Iterator[list[int]]:
    """Within the block, SIGTERM and SIGHUP raise ``Stopped`` in this (main) thread, as SIGINT
    raises KeyboardInterrupt; yields a list that receives the signal's number. Without this, a
    killed batch dies at once and leaves its pool's processes behind."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def stop(signum: int, _frame: Any) -> None:
        first = not received
        received.append(signum)
        if first:  # a second signal while stopping must not break the clean-up
            raise Stopped(signum)

    old = {sig: signal.signal(sig, stop) for sig in STOP_SIGNALS}
    try:
        yield received
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
        yield pool, workers
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def dask_executor(workers: int, scheduler: str | None) -> Iterator[tuple[Executor, int]]:
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
    try:
        threads = sum(client.nthreads().values())
        yield client.get_executor(pure=False), max(1, threads)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def executor(backend: str, workers: int, scheduler: str | None = None) -> Any:
    """A context manager giving the executor of ``backend`` and how many runs it works at once."""
    if backend == "dask":
        return dask_executor(workers, scheduler)
    if scheduler:
        raise DrillError(t("batch.scheduler_needs_dask"))
    return local_executor(workers)
