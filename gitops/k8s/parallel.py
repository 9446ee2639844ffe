"""Work split over two processes when the input is large enough to pay for a fork.

The parent forks a child that shares everything loaded so far (copy-on-write), gives it every
other item, does the rest itself, and reads the child's results back pickled through a pipe
(``in_child``), or streamed piece by piece as the parent goes (``interleaved``). The caller
merges both halves in input order, so the output is exactly what one process gives (tests
compare the bytes). A child that fails sends nothing: the parent then does its share too,
and reports any error itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from typing import IO, Any

PARALLEL_MIN_ITEMS = 1500
"""Below this many objects (or files) a second process costs more than it saves."""
JOBS_ENV = "GITOPS_JOBS"


def default_jobs(items: int, minimum: int = PARALLEL_MIN_ITEMS) -> int:
    """2 for at least ``minimum`` items where ``os.fork`` exists and a second core is free now:
    this process may use two or more cores and nothing else is running on them
    (``_others_running``); ``GITOPS_JOBS=N`` sets it (2 is the most used)."""
    wanted = os.environ.get(JOBS_ENV, "").strip()
    if wanted.isdigit() and int(wanted) >= 1:
        return min(int(wanted), 2)
    if items < minimum or not hasattr(os, "fork"):
        return 1
    # With every core already busy a second process only adds the cost of forking and
    # pickling (measured: slower at 2.6k objects under a load of 4 on 2 cores).
    return 2 if _cores() - _others_running() >= 2 else 1


def _cores() -> int:
    """Cores this process may run on (a container or ``taskset`` may allow fewer than the
    machine has)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _others_running() -> float:
    """Tasks other than this one running or waiting for a core right now: the run queue of
    ``/proc/loadavg`` (Linux). Its one-minute average, the fallback elsewhere, still counts
    what ran before, e.g. the previous command of a CI job or a benchmark loop's last run."""
    try:
        with open("/proc/loadavg", encoding="ascii") as handle:
            running = int(handle.read().split()[3].split("/")[0])
        return max(0, running - 1)
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


class Child:
    """A forked process computing one value, read back through a pipe."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid, self.fd = pid, fd

    def result(self) -> Any | None:
        """The value, or None when the child failed (the caller then computes it)."""
        import pickle  # only a run that forks needs it

        with os.fdopen(self.fd, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        if status != 0 or not data:
            return None
        return pickle.loads(data)


def in_child(compute: Callable[[], Any]) -> Child | None:
    """Start ``compute`` in a forked child (None if the fork fails)."""

    def send(pipe: IO[bytes]) -> None:
        import pickle

        pipe.write(pickle.dumps(compute(), protocol=pickle.HIGHEST_PROTOCOL))

    forked = _fork(send)
    return Child(*forked) if forked is not None else None


def _fork(send: Callable[[IO[bytes]], None]) -> tuple[int, int] | None:
    """Fork a child that runs ``send`` on the write end of a pipe and leaves; the child's pid
    and the read end (None if the fork fails). A child whose ``send`` raises exits 1 with
    what it wrote so far: the parent redoes the rest and reports any error itself."""
    sys.stdout.flush()
    sys.stderr.flush()
    read, write = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return None
    if pid == 0:  # the child: send, leave without running any cleanup
        code = 1
        try:
            os.close(read)
            with os.fdopen(write, "wb") as pipe:
                send(pipe)
            code = 0
        except BaseException:
            pass
        os._exit(code)
    os.close(write)
    return pid, read


def interleaved(count: int, compute: Callable[[int], str]) -> Iterator[str]:
    """``compute(0)``, ``compute(1)``, ... ``compute(count - 1)``, in order, with a forked
    child computing the odd-numbered ones: it sends each through a pipe as soon as it is
    done, while the parent computes the even-numbered ones and yields them in turn. Both cores
    work, and only a block or two is ever held at once (the child waits on the pipe until the
    parent takes its block), so a report of any size streams. If the child fails, the parent
    computes the rest of the odd-numbered ones itself; the pieces are the same either way."""
    child = _streaming_child(count, compute) if count > 1 else None
    if child is None:
        yield from map(compute, range(count))
        return
    pid, stream = child
    alive = True
    try:
        for index in range(count):
            piece = None
            if index % 2 and alive:
                piece = _received(stream)
                alive = piece is not None
            yield compute(index) if piece is None else piece
    finally:
        stream.close()  # a child still writing gets EPIPE and leaves
        os.waitpid(pid, 0)


def _streaming_child(count: int, compute: Callable[[int], str]) -> tuple[int, IO[bytes]] | None:
    """Fork a child that writes ``compute(i)`` for each odd ``i`` to a pipe, each as an
    8-byte length and the UTF-8 text; the parent's end of the pipe (None if no fork)."""

    def send(pipe: IO[bytes]) -> None:
        for index in range(1, count, 2):
            data = compute(index).encode("utf-8", "surrogatepass")
            pipe.write(len(data).to_bytes(8, "big") + data)

    forked = _fork(send)
    return (forked[0], os.fdopen(forked[1], "rb")) if forked is not None else None


def _received(stream: IO[bytes]) -> str | None:
    """The next piece the child sent; None when it sent no more (it failed)."""
    header = stream.read(8)
    if len(header) < 8:
        return None
    size = int.from_bytes(header, "big")
    data = stream.read(size)
    return data.decode("utf-8", "surrogatepass") if len(data) == size else None
