import os
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from altermag.core import ParameterError
from altermag.core.executor import (
    TARGET_CHUNK_SECONDS,
    DaskExecutor,
    JobError,
    LocalExecutor,
    SerialExecutor,
    _ChunkSizer,
    get_executor,
)

ITEMS = list(range(12))
FAILING = 5


# Jobs are top-level functions so that they pickle by reference.
def square_or_fail(x):
    if x == FAILING:
        raise ValueError(f"job {x} failed")
    return x * x


def tiny_job(x):
    return x + 1


def sleepy(x):
    time.sleep(0.002)
    return x


def die_on_7(x):
    if x == 7:
        os._exit(1)  # as if killed by the OOM killer
    time.sleep(0.005)
    return x


class UnpicklableError(Exception):
    def __init__(self, a, b):  # pickle calls cls(*args) with a single message: fails
        super().__init__(f"{a}/{b}")


def raise_unpicklable(x):
    raise UnpicklableError(x, "b")


def check_batch(executor):
    """Same contract for every back end."""
    outcomes = list(executor.imap_unordered(square_or_fail, ITEMS, progress=False))
    indices = [i for i, _ in outcomes]
    assert sorted(indices) == ITEMS  # every job reported exactly once
    results = dict(outcomes)
    error = results.pop(FAILING)
    assert isinstance(error, ValueError) and str(error) == f"job {FAILING} failed"
    assert "square_or_fail" in error.job_traceback  # the worker's traceback travels along
    assert results == {i: i * i for i in ITEMS if i != FAILING}  # the others went on

    assert executor.map(tiny_job, ITEMS) == [i + 1 for i in ITEMS]  # in input order
    with pytest.raises(ValueError, match=f"job {FAILING} failed"):
        executor.map(square_or_fail, ITEMS)
    # lazily consumed generators work, and the executor stays usable after a failure
    assert executor.map(tiny_job, (i for i in range(3))) == [1, 2, 3]
    assert executor.map(tiny_job, []) == []
    return results


def test_serial_executor():
    with SerialExecutor() as ex:
        check_batch(ex)
        # serial runs in order
        assert [i for i, _ in ex.imap_unordered(tiny_job, ITEMS, progress=False)] == ITEMS


def test_local_executor_matches_serial():
    with SerialExecutor() as ex:
        expected = check_batch(ex)
    with LocalExecutor(workers=2) as ex:
        assert ex.workers == 2
        assert check_batch(ex) == expected
        [(index, error)] = ex.imap_unordered(raise_unpicklable, [7], progress=False)
        assert isinstance(error, JobError) and error.exc_type == "UnpicklableError" and "7/b" in str(error)


def test_a_dead_worker_fails_only_the_jobs_in_flight():
    with LocalExecutor(workers=2) as ex:
        out = dict(ex.imap_unordered(die_on_7, range(60), progress=False))
        assert sorted(out) == list(range(60))
        failed = {i for i, v in out.items() if isinstance(v, BaseException)}
        assert 7 in failed and all(isinstance(out[i], BrokenProcessPool) for i in failed)
        assert all(out[i] == i for i in set(out) - failed)
        assert out[59] == 59  # jobs sent after the crash ran on a new pool
        assert ex.map(tiny_job, [1]) == [2]


def test_local_executor_chunks_small_jobs(monkeypatch):
    submitted = []
    with LocalExecutor(workers=2) as ex:
        original = ex._submit
        monkeypatch.setattr(ex, "_submit", lambda fn, chunk: (submitted.append(len(chunk)), original(fn, chunk))[1])
        n = 3000
        out = dict(ex.imap_unordered(tiny_job, range(n), progress=False))
    assert out == {i: i + 1 for i in range(n)}
    assert sum(submitted) == n
    assert len(submitted) < n / 10  # far fewer round trips than jobs
    assert max(submitted) > 20


def test_explicit_chunksize_is_honoured(monkeypatch):
    submitted = []
    with LocalExecutor(workers=2) as ex:
        original = ex._submit
        monkeypatch.setattr(ex, "_submit", lambda fn, chunk: (submitted.append(len(chunk)), original(fn, chunk))[1])
        assert ex.map(tiny_job, range(25), chunksize=10) == list(range(1, 26))
    assert submitted == [10, 10, 5]


def test_chunk_sizer_adapts_to_job_duration():
    sizer = _ChunkSizer(None, workers=2)
    assert sizer.next_size(10_000) == 1  # nothing measured yet
    for _ in range(10):
        sizer.record(sizer.next_size(10_000), 0.001 * sizer.last)  # 1 ms jobs
    assert sizer.next_size(10_000) == pytest.approx(TARGET_CHUNK_SECONDS / 0.001, rel=0.05)
    assert sizer.next_size(40) == 10  # the tail is shared between workers
    slow = _ChunkSizer(None, workers=2)
    slow.record(1, 30.0)  # long jobs go one by one
    assert slow.next_size(10_000) == 1
    assert _ChunkSizer(7, workers=2).next_size(3) == 7


def test_stopping_early_does_not_hang():
    with LocalExecutor(workers=2) as ex:
        t0 = time.perf_counter()
        for _ in ex.imap_unordered(sleepy, range(100_000), progress=False):
            break
        assert ex.map(tiny_job, [1, 2]) == [2, 3]
    assert time.perf_counter() - t0 < 10


def test_get_executor_dispatch(monkeypatch):
    import altermag.core.executor as executor_module

    monkeypatch.setattr(executor_module, "DaskExecutor", lambda scheduler, workers: ("dask", scheduler, workers))
    assert get_executor(workers=3, scheduler="local") == ("dask", "local", 3)
    assert get_executor(scheduler="tcp://10.0.0.1:8786") == ("dask", "tcp://10.0.0.1:8786", None)
    with get_executor(workers=1) as ex:
        assert isinstance(ex, SerialExecutor)
    with get_executor(workers=2) as ex:
        assert isinstance(ex, LocalExecutor) and ex.workers == 2
    with pytest.raises(ParameterError):
        get_executor(workers=0)


def test_bad_arguments_fail_at_the_call():
    with SerialExecutor() as ex:
        with pytest.raises(TypeError, match="picklable"):
            ex.map(lambda x: x, [1])
        with pytest.raises(TypeError, match="picklable"):
            ex.imap_unordered(lambda x: x, [1])  # before any iteration
        with pytest.raises(ParameterError):
            ex.imap_unordered(tiny_job, [1], chunksize=0)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_dask_local_cluster_matches_serial():
    pytest.importorskip("dask.distributed")
    with SerialExecutor() as ex:
        expected = check_batch(ex)
    with DaskExecutor("local", workers=2, processes=False) as ex:
        assert ex.workers == 2
        assert check_batch(ex) == expected
