"""Run many independent jobs serially, on local processes or on a Dask cluster.

One interface, three back ends, chosen by :func:`get_executor`:

* :class:`SerialExecutor` (``workers=1``): in this process; for debugging and tiny batches;
* :class:`LocalExecutor`: a :class:`concurrent.futures.ProcessPoolExecutor`;
* :class:`DaskExecutor`: a ``dask.distributed`` scheduler (``scheduler="tcp://host:8786"``),
  or ``scheduler="local"`` for a :class:`~dask.distributed.LocalCluster` on 127.0.0.1.

Every executor offers

* ``imap_unordered(fn, items)``, yielding ``(index, result)`` as jobs complete. **A job that
  raised yields its exception object as the result** (with the worker's traceback text in
  its ``job_traceback`` attribute), so that a batch driver can record the failure and go on;
  test with ``isinstance(result, BaseException)``.
* ``map(fn, items)``, the results in input order, raising the first failure.

Rules for jobs: ``fn`` must be a picklable **top-level** function (no lambdas or closures:
the same code must work whatever the back end), and items and results must be picklable.
With worker processes, set ``OMP_NUM_THREADS=1`` (or the like) so that NumPy's BLAS threads
do not oversubscribe the cores; Dask's local workers do this themselves.

Small jobs are sent in chunks whose size adapts to the measured job duration (about
``TARGET_CHUNK_SECONDS`` of work per chunk), so thousands of millisecond jobs are not dominated
by inter-process communication, while long jobs still go one by one and balance well; pass
``chunksize`` to fix it.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import numbers
import os
import pickle
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from altermag.core.errors import AltermagError, ParameterError
from altermag.core.log import get_logger
from altermag.core.progress import progress as _progress

__all__ = [
    "Executor",
    "SerialExecutor",
    "LocalExecutor",
    "DaskExecutor",
    "JobError",
    "get_executor",
    "cpu_count",
    "TARGET_CHUNK_SECONDS",
]

_log = get_logger(__name__)

TARGET_CHUNK_SECONDS = 0.2
"""Work per chunk that adaptive chunking aims at: large against the ~1 ms cost of sending a
chunk to a worker, small against the run time of a batch."""

_MAX_GROWTH = 4  # a chunk is at most this many times larger than the previous one
_MAX_POOL_RESTARTS = 3


def cpu_count() -> int:
    """CPUs this process may use (respects affinity masks set by batch schedulers)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class JobError(RuntimeError):
    """Stands in for a job's exception that could not be sent back from the worker (unpicklable).

    ``exc_type`` is the original class name; ``job_traceback`` the worker's traceback text.
    """

    def __init__(self, exc_type: str, message: str, job_traceback: str = ""):
        super().__init__(f"{exc_type}: {message}")
        self.exc_type = exc_type
        self.job_traceback = job_traceback

    def __reduce__(self):
        return type(self), (self.exc_type, str(self).partition(": ")[2], self.job_traceback)


def _portable(exc: Exception, check_pickle: bool) -> Exception:
    """``exc`` with its traceback text attached, or a :class:`JobError` if it would not unpickle."""
    tb = traceback.format_exc()
    try:
        exc.job_traceback = tb  # type: ignore[attr-defined]
        if check_pickle:
            pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return JobError(type(exc).__name__, str(exc), tb)


def _run_chunk(fn: Callable[[Any], Any], chunk: list[tuple[int, Any]], check_pickle: bool = True):
    """Worker side: run ``fn`` on every item, catching each failure separately.

    Returns ``([(index, ok, result_or_exception), ...], seconds spent in fn)``.
    """
    out = []
    t0 = time.perf_counter()
    for index, item in chunk:
        try:
            out.append((index, True, fn(item)))
        except Exception as exc:
            out.append((index, False, _portable(exc, check_pickle)))
    return out, time.perf_counter() - t0


def _check_fn(fn: Callable) -> None:
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {fn!r}")
    try:
        pickle.dumps(fn)
    except Exception as exc:
        raise TypeError(f"fn must be a picklable top-level function, got {fn!r} ({exc})") from exc


def _without_flags(outcomes: Iterator[tuple[int, bool, Any]]) -> Iterator[tuple[int, Any]]:
    try:
        for index, _, value in outcomes:
            yield index, value
    finally:
        outcomes.close()


class Executor:
    """Common interface; use :func:`get_executor` or a subclass. A context manager."""

    workers: int = 1

    def _outcomes(self, fn: Callable, items: Iterable, chunksize: int | None) -> Iterator[tuple[int, bool, Any]]:
        raise NotImplementedError

    def _iter(self, fn, items, chunksize, progress, desc) -> Iterator[tuple[int, bool, Any]]:
        # Validate now, not at the first next(): errors belong to the call that caused them.
        _check_fn(fn)
        if chunksize is not None and (not isinstance(chunksize, numbers.Integral) or chunksize < 1):
            raise ParameterError(f"chunksize must be a positive integer or None, got {chunksize!r}")
        return self._drive(fn, items, None if chunksize is None else int(chunksize), progress, desc)

    def _drive(self, fn, items, chunksize, progress, desc) -> Iterator[tuple[int, bool, Any]]:
        total = len(items) if hasattr(items, "__len__") else None  # type: ignore[arg-type]
        bar = _progress(total=total, desc=desc, disable=None if progress else True, unit="job")
        outcomes = self._outcomes(fn, items, chunksize)
        try:
            for outcome in outcomes:
                bar.update(1)
                yield outcome
        finally:
            outcomes.close()  # cancels what is still pending when the caller stops early
            bar.close()

    def imap_unordered(
        self,
        fn: Callable[[Any], Any],
        items: Iterable,
        chunksize: int | None = None,
        progress: bool = True,
        desc: str | None = None,
    ) -> Iterator[tuple[int, Any]]:
        """Yield ``(index, result)`` for every item, in order of completion.

        ``index`` is the position of the item in ``items`` (any iterable, consumed lazily).
        A job that raised an ``Exception`` yields that exception object as its result (its
        ``job_traceback`` attribute holds the worker's traceback text); the other jobs go on.
        If a worker process dies, every job in flight at that moment yields the resulting error
        (``BrokenProcessPool``) and the remaining jobs run on a new pool.
        ``chunksize`` None adapts the chunk size to the job duration. ``progress`` shows a bar
        on stderr (see :mod:`altermag.core.progress`). Leaving the loop early cancels the jobs
        not yet started.
        """
        return _without_flags(self._iter(fn, items, chunksize, progress, desc))

    def map(
        self,
        fn: Callable[[Any], Any],
        items: Iterable,
        chunksize: int | None = None,
        progress: bool = False,
        desc: str | None = None,
    ) -> list[Any]:
        """Results of ``fn`` on every item, in input order.

        Raises the first failure seen (after cancelling the jobs not yet started), with the
        worker's traceback added as a note.
        """
        results: dict[int, Any] = {}
        outcomes = self._iter(fn, items, chunksize, progress, desc)
        try:
            for index, ok, value in outcomes:
                if not ok:
                    tb = getattr(value, "job_traceback", None)
                    if tb and hasattr(value, "add_note"):
                        value.add_note(f"--- traceback in the worker ---\n{tb}")
                    raise value
                results[index] = value
        finally:
            outcomes.close()
        return [results[i] for i in range(len(results))]

    def close(self) -> None:
        """Release workers; idempotent."""

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SerialExecutor(Executor):
    """Runs every job in the calling process, in order (``chunksize`` is ignored)."""

    workers = 1

    def _outcomes(self, fn, items, chunksize):
        for index, item in enumerate(items):
            # Same capture as in workers, minus the pickling check: nothing leaves the process.
            [outcome], _ = _run_chunk(fn, [(index, item)], check_pickle=False)
            yield outcome

    def __repr__(self) -> str:
        return "SerialExecutor()"


class _ChunkSizer:
    """Chooses chunk sizes from the measured time per job (see the module docstring)."""

    def __init__(self, fixed: int | None, workers: int):
        self.fixed = fixed
        self.workers = workers
        self.per_job: float | None = None
        self.last = 1

    def record(self, n_jobs: int, seconds: float) -> None:
        latest = seconds / max(n_jobs, 1)
        # Exponential average: quick to follow, yet one odd chunk (imports, cache warm-up) fades.
        self.per_job = latest if self.per_job is None else 0.5 * (self.per_job + latest)

    def next_size(self, remaining: int | None) -> int:
        if self.fixed is not None:
            return self.fixed
        if self.per_job is None:
            return 1
        size = int(TARGET_CHUNK_SECONDS / max(self.per_job, 1e-7))
        size = min(size, self.last * _MAX_GROWTH)
        if remaining is not None:
            # Leave work for every worker until the end instead of one last huge chunk.
            size = min(size, remaining // (2 * self.workers))
        self.last = max(1, size)
        return self.last


class _PoolExecutor(Executor):
    """Shared driver of back ends that return futures."""

    def _submit(self, fn: Callable, chunk: list[tuple[int, Any]]):
        raise NotImplementedError

    def _wait_first(self, futures: list) -> Iterable:
        raise NotImplementedError

    def _outcomes(self, fn, items, chunksize):
        workers = max(1, self.workers)
        # Two chunks per worker: one running, one queued, so no worker waits for the driver.
        in_flight = 2 * workers
        sizer = _ChunkSizer(chunksize, workers)
        numbered = enumerate(items)
        remaining = len(items) if hasattr(items, "__len__") else None
        pending: dict[Any, list[int]] = {}
        exhausted = False
        try:
            while True:
                while not exhausted and len(pending) < in_flight:
                    chunk = list(islice(numbered, sizer.next_size(remaining)))
                    if not chunk:
                        exhausted = True
                        break
                    if remaining is not None:
                        remaining -= len(chunk)
                    pending[self._submit(fn, chunk)] = [i for i, _ in chunk]
                if not pending:
                    return
                for fut in self._wait_first(list(pending)):
                    indices = pending.pop(fut)
                    try:
                        outcomes, seconds = fut.result()
                    except Exception as exc:  # the chunk itself failed: dead worker, unpicklable result
                        _log.warning("a chunk of %d job(s) failed as a whole: %r", len(indices), exc)
                        outcomes = [(i, False, exc) for i in indices]
                    else:
                        sizer.record(len(indices), seconds)
                    yield from outcomes
        finally:
            for fut in pending:
                fut.cancel()


class LocalExecutor(_PoolExecutor):
    """Jobs in ``workers`` local processes (default: all CPUs available to this process).

    ``start_method`` (``"fork"``, ``"forkserver"``, ``"spawn"``) defaults to Python's default
    for the platform. With ``"spawn"`` or ``"forkserver"`` (macOS, Windows, Python >= 3.14 on
    Linux) a script that creates the executor must guard its top level with
    ``if __name__ == "__main__":``, as for any use of :mod:`multiprocessing`.
    A pool broken by a dead worker is replaced (a few times at most) for the jobs not yet sent.
    """

    def __init__(self, workers: int | None = None, start_method: str | None = None):
        self.workers = cpu_count() if workers is None else int(workers)
        if self.workers < 1:
            raise ParameterError(f"workers must be >= 1, got {workers}")
        self.start_method = start_method or multiprocessing.get_start_method()
        self._restarts = 0
        self._pool = self._new_pool()

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        # Processes start lazily, on the first submission.
        ctx = multiprocessing.get_context(self.start_method)
        return cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx)

    def _submit(self, fn, chunk):
        try:
            return self._pool.submit(_run_chunk, fn, chunk)
        except cf.process.BrokenProcessPool:
            # One job killing its worker (out of memory, segfault in a C library) should not end
            # a batch of thousands; a pool that keeps breaking means something else is wrong.
            if self._restarts >= _MAX_POOL_RESTARTS:
                raise
            self._restarts += 1
            _log.warning("a worker process died; starting a new pool (%d/%d)", self._restarts, _MAX_POOL_RESTARTS)
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            return self._pool.submit(_run_chunk, fn, chunk)

    def _wait_first(self, futures):
        return cf.wait(futures, return_when=cf.FIRST_COMPLETED).done

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __repr__(self) -> str:
        return f"LocalExecutor(workers={self.workers}, start_method={self.start_method!r})"


class DaskExecutor(_PoolExecutor):
    """Jobs on a ``dask.distributed`` cluster.

    ``scheduler``: a scheduler address (``"tcp://host:8786"``; altermag must be importable on
    the workers), or ``"local"`` to start a :class:`~dask.distributed.LocalCluster` on 127.0.0.1
    with ``workers`` single-threaded workers (default: all CPUs), in processes unless
    ``processes=False`` (threads of this process: fast to start, but jobs then share the GIL).
    ``workers`` is ignored for a remote scheduler. Extra keyword arguments go to ``LocalCluster``.
    """

    def __init__(self, scheduler: str = "local", workers: int | None = None, *, processes: bool = True, **cluster_kwargs: Any):
        from dask.distributed import Client, LocalCluster

        self.scheduler = scheduler
        self._cluster = None
        try:
            if scheduler == "local":
                n = cpu_count() if workers is None else int(workers)
                if n < 1:
                    raise ParameterError(f"workers must be >= 1, got {workers}")
                if processes:
                    cluster_kwargs.setdefault("host", "127.0.0.1")
                cluster_kwargs.setdefault("dashboard_address", None)
                self._cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=processes, **cluster_kwargs)
                self._client = Client(self._cluster)
            else:
                self._client = Client(scheduler)
        except (OSError, TimeoutError) as exc:
            self.close()
            raise AltermagError(f"cannot reach the Dask scheduler {scheduler!r}: {exc}") from exc

    @property
    def workers(self) -> int:  # type: ignore[override]
        """Worker threads currently in the cluster (it may grow or shrink)."""
        return max(1, sum(self._client.nthreads().values()))

    def _submit(self, fn, chunk):
        return self._client.submit(_run_chunk, fn, chunk, pure=False)

    def _wait_first(self, futures):
        from dask.distributed import wait

        return wait(futures, return_when="FIRST_COMPLETED").done

    def close(self) -> None:
        for obj in (getattr(self, "_client", None), self._cluster):
            if obj is not None:
                obj.close()
        self._client = self._cluster = None

    def __repr__(self) -> str:
        return f"DaskExecutor(scheduler={self.scheduler!r})"


def get_executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """The executor for a ``--workers``/``--scheduler`` pair of command-line options.

    * ``scheduler`` given: :class:`DaskExecutor` (``"local"`` starts a local cluster with
      ``workers`` processes);
    * ``workers == 1`` (or a single available CPU): :class:`SerialExecutor`;
    * otherwise :class:`LocalExecutor` with ``workers`` processes (default: all available CPUs).
    """
    if workers is not None and (isinstance(workers, bool) or int(workers) != workers or workers < 1):
        raise ParameterError(f"workers must be a positive integer or None, got {workers!r}")
    if scheduler:
        return DaskExecutor(scheduler, workers)
    n = cpu_count() if workers is None else int(workers)
    return SerialExecutor() if n == 1 else LocalExecutor(n)
