from typing import Any

from fastapi import APIRouter as FastAPIRouter

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
        super().add_api_route(path, endpoint, **kwargs)
