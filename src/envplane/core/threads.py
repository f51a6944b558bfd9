"""The threads that run synchronous endpoints.

Writes run on anyio's default pool, where they may wait on the database's
locks without holding anything else up. Reads run on a few threads of their
own: enough to overlap their round trips to the database, and few enough not
to fight over the interpreter lock. With dozens of threads taking turns at
it, the switching costs a short read more CPU than the read itself.
"""

from anyio import CapacityLimiter
from anyio.lowlevel import RunVar

DEFAULT_READ_THREADS = 4

_read_threads: RunVar[CapacityLimiter] = RunVar("envplane_read_threads")


def use_read_threads(count: int) -> None:
    """Give reads ``count`` threads on the running event loop."""
    _read_threads.set(CapacityLimiter(count))


def read_threads() -> CapacityLimiter:
    """The running event loop's limit on threads running reads at once:
    ``use_read_threads``'s, or ``DEFAULT_READ_THREADS`` on a loop that was
    not given one (an app driven without its lifespan, as in tests)."""
    try:
        return _read_threads.get()
    except LookupError:
        use_read_threads(DEFAULT_READ_THREADS)
        return _read_threads.get()
