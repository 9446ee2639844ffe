"""Work split over two processes when the input is large enough to pay for a fork.

The parent forks a child that shares everything loaded so far (copy-on-write). Either both
take pieces of the work from one queue until it is empty and the child sends its results
back pickled through a pipe (``Shared``), or the child computes every other piece and streams
each back as the parent goes (``interleaved``). Results are put back in input order, so the
output is exactly what one process gives (tests compare the bytes). A child that fails sends
nothing: the parent then computes what it lacks, and reports any error itself.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
from collections.abc import Callable, Iterator
from typing import IO, Any, Generic, TypeVar

T = TypeVar("T")

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


MAX_PIECES = 256
"""Pieces a shared job is cut into at most. Their numbers, 4 bytes each, fit in a 4 KiB page,
the least a pipe ever holds, so they are all queued with one write that never blocks. Each
piece the child computes crosses as one pickle: 1,024 pieces cost 5% more CPU than 256 at
2.6k objects (24 paired runs), and a piece of 1/256 of the work is still small enough that
neither process waits long for the other at the end."""
_HEADER = 8
"""Bytes before each piece the child sends: its pickle's length."""


class Shared(Generic[T]):
    """``compute(0)`` ... ``compute(count - 1)``, computed by this process and a forked child
    together. The items are cut into pieces of consecutive items whose numbers wait in a
    pipe; each process takes the next number (a 4-byte read: the kernel hands each to one
    reader) and computes that piece, until the pipe is empty. Neither waits while work is
    left, whatever the pieces cost or however busy the other is, and the child starts at
    once: it can work while this process is still getting ready (``results`` joins in).

    The child sends each piece pickled as soon as it is done, without ever waiting for this
    process (what the pipe cannot take yet stays with the child until it can), and this
    process reads what has come in after each of its own pieces: when the queue is empty
    only the last pieces are still to be read, not the child's whole share.

    ``results()`` gives every value in item order, the same as computing them in one
    process. If the child fails, this process computes the pieces it did not send.
    ``jobs < 2`` or fewer than 2 pieces: no child. ``pack`` turns a piece's values into
    something quicker to pickle and ``unpack`` turns that back (say, named tuples into plain
    ones: pickle calls Python code for each named tuple)."""

    def __init__(
        self,
        count: int,
        compute: Callable[[int], T],
        jobs: int,
        *,
        pack: Callable[[list[T]], Any] | None = None,
        unpack: Callable[[Any], list[T]] | None = None,
    ) -> None:
        self._packed, self._unpacked = pack, unpack
        self._queue: int | None = None
        self._child: tuple[int, int] | None = None
        self._received = bytearray()
        self._theirs: dict[int, list[T]] = {}
        self._planned_count = 0
        self._size(count, compute)
        if jobs >= 2 and self._pieces >= 2:
            read, write = os.pipe()
            if not _queued(write, self._pieces):
                os.close(read)
                return
            self._fork(read, lambda pipe: self._send(read, pipe.fileno()))

    @classmethod
    def planned(
        cls,
        plan: Callable[[], tuple[Any, int, Callable[[int], T]]],
        *,
        minimum: int = 2,
        pack: Callable[[list[T]], Any] | None = None,
        unpack: Callable[[Any], list[T]] | None = None,
    ) -> Shared[T]:
        """A job the child works out itself, so that it starts before this process could:
        ``plan()``, run in the child, returns what this process must know of the job (sent to
        it first: ``plan``), the number of items (below ``minimum``, the child leaves the job
        to this process) and how to compute one. This process then says how it computes one
        (``join``) and takes its part."""
        shared = cls(0, _nothing, 1, pack=pack, unpack=unpack)
        read, write = os.pipe()

        def send(pipe: IO[bytes]) -> None:
            import pickle

            what, count, compute = plan()
            shared._size(count, compute)
            if count < minimum or shared._pieces < 2:
                os.close(write)
                shared._pieces = 0
            elif not _queued(write, shared._pieces):
                shared._pieces = 0  # nothing queued: the parent does it all
            said = pickle.dumps((what, count), protocol=pickle.HIGHEST_PROTOCOL)
            # Sent like a piece: this process may not read it before it has imported what it
            # needs, and a plan (a list of files) can be more than the pipe holds.
            shared._send(read if shared._pieces else None, pipe.fileno(), said)

        shared._fork(read, send)
        os.close(write)  # the child's end: the queue ends when the child closes its own
        return shared

    def plan(self) -> Any | None:
        """What the child's ``plan()`` said (``planned``), waiting for it; None when the
        child failed first."""
        if self._child is None:
            return None
        fd, received = self._child[1], self._received
        while _frame_size(received) is None:
            try:
                data = os.read(fd, 1 << 20)
            except BlockingIOError:
                select.select([fd], [], [])
                continue
            if not data:
                return None
            received += data
        import pickle

        size = _frame_size(received) or 0
        what, self._planned_count = pickle.loads(received[_HEADER:size])
        del received[:size]
        return what

    def join(self, compute: Callable[[int], T]) -> list[T]:
        """``results()`` of the job the child planned, computing items here with ``compute``
        (call after ``plan`` returned what it needs)."""
        self._size(self._planned_count, compute)
        return self.results()

    def _size(self, count: int, compute: Callable[[int], T]) -> None:
        self._count, self._compute = count, compute
        self._per_piece = max(1, -(-count // MAX_PIECES))
        self._pieces = -(-count // self._per_piece) if count else 0

    def _fork(self, queue: int, send: Callable[[IO[bytes]], None]) -> None:
        self._child = _fork(send)
        if self._child is None:
            os.close(queue)
        else:
            self._queue = queue
            os.set_blocking(self._child[1], False)

    def _send(self, queue: int | None, out: int, first: bytes = b"") -> None:
        """The child: send ``first``, then compute pieces from ``queue`` and send each, never
        blocking on ``out`` while there is work left."""
        import gc
        import pickle

        gc.disable()  # the child builds and leaves; it may start before the caller pauses it
        os.set_blocking(out, False)
        pending = bytearray()
        if first:
            pending += len(first).to_bytes(_HEADER, "big") + first
        while queue is not None and (piece := self._next(queue)) is not None:
            values: Any = self._piece(piece)
            if self._packed is not None:
                values = self._packed(values)
            data = pickle.dumps((piece, values), protocol=pickle.HIGHEST_PROTOCOL)
            pending += len(data).to_bytes(_HEADER, "big")
            pending += data
            with contextlib.suppress(BlockingIOError):  # full: not read yet
                del pending[: os.write(out, pending)]
        os.set_blocking(out, True)
        view = memoryview(pending)
        while view:
            view = view[os.write(out, view) :]

    def _next(self, queue: int) -> int | None:
        number = os.read(queue, 4)
        return int.from_bytes(number, "little") if len(number) == 4 else None

    def _piece(self, piece: int) -> list[T]:
        start = piece * self._per_piece
        return [self._compute(i) for i in range(start, min(start + self._per_piece, self._count))]

    def _read(self, block: bool) -> None:
        """Take in what the child has sent so far (all of it, to its end, if ``block``)."""
        assert self._child is not None
        fd = self._child[1]
        if block:
            os.set_blocking(fd, True)
        while True:
            try:
                data = os.read(fd, 1 << 20)
            except BlockingIOError:
                break
            if not data:
                break
            self._received += data
        self._take_in()

    def _take_in(self) -> None:
        """Unpickle every whole piece received so far."""
        import pickle

        buffer, at = self._received, 0
        with memoryview(buffer) as view:
            while (size := _frame_size(view[at:])) is not None:
                piece, values = pickle.loads(view[at + _HEADER : at + size])
                self._theirs[piece] = values if self._unpacked is None else self._unpacked(values)
                at += size
        del buffer[:at]

    def results(self) -> list[T]:
        """Every value, in item order (call once)."""
        ours: dict[int, list[T]] = {}
        if self._queue is not None:
            while (piece := self._next(self._queue)) is not None:
                ours[piece] = self._piece(piece)
                self._read(block=False)
            os.close(self._queue)
            self._queue = None
        if self._child is not None:
            self._read(block=True)
            pid, fd = self._child
            os.close(fd)
            os.waitpid(pid, 0)  # a child that failed sent whole pieces or nothing of each
            self._child = None
        values: list[T] = []
        for piece in range(self._pieces):
            part = ours.get(piece)
            if part is None:
                part = self._theirs.get(piece)
            if part is None:  # no child, or it failed: compute the piece here
                part = ours[piece] = self._piece(piece)
            values += part
        return values

    def theirs(self) -> Iterator[int]:
        """The items the child computed (after ``results``)."""
        size = self._per_piece
        for piece in sorted(self._theirs):
            yield from range(piece * size, min((piece + 1) * size, self._count))

    def cancel(self) -> None:
        """Stop a child whose results are not wanted (the run ended first) and reap it."""
        if self._child is not None:
            import signal

            pid, fd = self._child
            self._child = None
            os.close(fd)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        if self._queue is not None:
            os.close(self._queue)
            self._queue = None


def _frame_size(received: bytes | bytearray | memoryview) -> int | None:
    """The size of the whole first frame (header and pickle) of ``received``; None while it
    has not all come in."""
    if len(received) < _HEADER:
        return None
    size = _HEADER + int.from_bytes(received[:_HEADER], "big")
    return size if len(received) >= size else None


def _queued(write: int, pieces: int) -> bool:
    """Write the numbers of ``pieces`` to a queue pipe and close it; False if they did not
    all fit at once (the pipe is then useless: nothing is shared)."""
    numbers = b"".join(n.to_bytes(4, "little") for n in range(pieces))
    try:
        os.set_blocking(write, False)  # a full pipe must not hang the run
        return os.write(write, numbers) == len(numbers)
    except OSError:
        return False
    finally:
        os.close(write)


def _nothing(index: int) -> Any:
    raise AssertionError("no items before the plan")


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
