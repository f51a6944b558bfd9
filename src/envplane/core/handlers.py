"""Every error leaves as one JSON shape: ``{"status", "code", "message", "errors"}``."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from envplane.core.errors import EnvplaneError


def error_body(
    status: int, code: str, message: str, errors: list[Any]
) -> dict[str, Any]:
    return {"status": status, "code": code, "message": message, "errors": errors}


async def _envplane_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, EnvplaneError)
    body = error_body(error.status_code, error.code, error.message, error.errors)
    return JSONResponse(body, status_code=error.status_code)


async def _invalid_request(_request: Request, error: Exception) -> JSONResponse:
    """Invalid input is a 400, as the compatible API documents it, never a 422."""
    assert isinstance(error, RequestValidationError)
    errors = [
        {"loc": list(item["loc"]), "msg": item["msg"], "type": item["type"]}
        for item in error.errors()
    ]
    summary = "; ".join(
        f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
        for item in errors
    )
    body = error_body(400, "invalid_input", summary or "invalid request", errors)
    return JSONResponse(body, status_code=400)


async def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(
        error.status_code, "http_error"
    )
    body = error_body(error.status_code, code, str(error.detail), [])
    return JSONResponse(body, status_code=error.status_code, headers=error.headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(EnvplaneError, _envplane_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)
