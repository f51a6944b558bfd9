import functools
import inspect
from collections.abc import Callable
from typing import Any

from anyio import to_thread
from fastapi import APIRouter as FastAPIRouter

from envplane.core.dependencies import call_and_commit
from envplane.core.threads import read_threads

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad request"},
    401: {"description": "Access token is missing or invalid"},
    403: {"description": "Access forbidden"},
    404: {"description": "Resource not found"},
}


class APIRouter(FastAPIRouter):
    """Routes leave out unset fields: the compatible API omits what it does not know
    rather than sending null where its schema does not allow null."""

    def add_api_route(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        kwargs["response_model_exclude_none"] = True
        kwargs["responses"] = {**ERROR_RESPONSES, **(kwargs.get("responses") or {})}
        if not inspect.iscoroutinefunction(endpoint):
            # FastAPI's default, when no methods are given, is GET.
            reads = set(kwargs.get("methods") or ["GET"]) <= {"GET", "HEAD"}
            endpoint = _in_worker_thread(endpoint, reads=reads)
        super().add_api_route(path, endpoint, **kwargs)


def _in_worker_thread(
    endpoint: Callable[..., Any], *, reads: bool
) -> Callable[..., Any]:
    """A synchronous endpoint as a coroutine that runs it and commits its
    session in one hand-off to the thread pool. Left to FastAPI, a plain
    function costs three: the call, the commit, and the check of its answer
    against the response model, which for a coroutine runs on the event loop.
    The wrapper keeps the endpoint's signature, so FastAPI resolves the same
    parameters. Reads run on their own threads (see ``core.threads``)."""

    @functools.wraps(endpoint)
    async def endpoint_in_worker_thread(**arguments: Any) -> Any:
        limiter = read_threads() if reads else None
        return await to_thread.run_sync(
            call_and_commit, endpoint, arguments, limiter=limiter
        )

    return endpoint_in_worker_thread
