"""The official OpenAPI document, and checks of what we send and receive against it.

Schemas are checked with the OpenAPI 3.0 validators of openapi-schema-validator in
their read direction for answers (required ``readOnly`` fields such as ``id`` must be
there) and their write direction for requests (``readOnly`` fields must not be sent);
plain ``OAS30Validator`` skips required ``readOnly`` fields in both directions.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import (
    OAS30ReadValidator,
    OAS30WriteValidator,
    oas30_format_checker,
)
from referencing import Registry
from referencing.jsonschema import DRAFT4

REPO = next(
    p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file()
)
DOCUMENT_PATH = REPO.parent / "shared" / "qovery-api" / "openapi.yaml"

# The document has no id of its own; it is registered under this one so that a
# schema anywhere in it can be named, and its ``#/components`` references resolve.
DOCUMENT_URI = "urn:qovery:openapi"
METHODS = ("get", "put", "post", "delete", "patch")
JSON = "application/json"


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    tier: str
    success: int
    documented: frozenset[int]
    request_schema: str | None
    response_schema: str | None

    def url(self, **params: object) -> str:
        return self.path.format(**params)

    @property
    def path_params(self) -> list[str]:
        return [part[1:-1] for part in self.path.split("/") if part.startswith("{")]

    @property
    def request_schema_name(self) -> str | None:
        """The name of the request schema when it is a named component."""
        if self.request_schema is None:
            return None
        target = self.request_schema.rsplit("/", 1)[-1]
        return target if "/components/schemas/" in self.request_schema else None


class Contract:
    def __init__(self, document: dict[str, Any]):
        self.document = document
        resource = DRAFT4.create_resource(document)
        self._registry: Registry[Any] = Registry().with_resource(DOCUMENT_URI, resource)
        self.operations = {
            operation.operation_id: operation for operation in self._operations()
        }

    @classmethod
    def load(cls, path: Path = DOCUMENT_PATH) -> "Contract":
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        with path.open() as file:
            return cls(yaml.load(file, Loader=loader))

    def tier(self, name: str) -> list[Operation]:
        return [op for op in self.operations.values() if op.tier == name]

    def request_errors(self, operation: Operation, body: Any) -> list[str]:
        if operation.request_schema is None:
            return [] if body is None else ["the operation documents no request body"]
        return self._errors(OAS30WriteValidator, operation.request_schema, body)

    def response_errors(self, operation: Operation, body: Any) -> list[str]:
        if operation.response_schema is None:
            return [] if body is None else ["the operation documents no response body"]
        return self._errors(OAS30ReadValidator, operation.response_schema, body)

    def _errors(self, validator_class: Any, pointer: str, instance: Any) -> list[str]:
        validator = validator_class(
            {"$ref": f"{DOCUMENT_URI}#{pointer}"},
            registry=self._registry,
            format_checker=oas30_format_checker,
        )
        return [_describe(error) for error in validator.iter_errors(instance)]

    def _operations(self) -> list[Operation]:
        operations = []
        for path, item in self.document["paths"].items():
            for method in METHODS:
                if method not in item:
                    continue
                operation = item[method]
                pointer = f"/paths/{_escape(path)}/{method}"
                success, response = self._success(operation, pointer)
                operations.append(
                    Operation(
                        operation_id=operation["operationId"],
                        method=method.upper(),
                        path=path,
                        tier=operation["tags"][0],
                        success=success,
                        documented=frozenset(int(c) for c in operation["responses"]),
                        request_schema=self._request(operation, pointer),
                        response_schema=response,
                    )
                )
        return operations

    def _success(
        self, operation: dict[str, Any], pointer: str
    ) -> tuple[int, str | None]:
        codes = [code for code in operation["responses"] if str(code).startswith("2")]
        assert len(codes) == 1, f"{operation['operationId']} documents {codes}"
        code = codes[0]
        answer = f"{pointer}/responses/{code}"
        return int(code), self._schema_under(self._follow(answer))

    def _request(self, operation: dict[str, Any], pointer: str) -> str | None:
        if "requestBody" not in operation:
            return None
        return self._schema_under(self._follow(f"{pointer}/requestBody"))

    def _schema_under(self, pointer: str) -> str | None:
        """The JSON schema of a response or request body object, if it has one."""
        content = self._at(pointer).get("content", {})
        if JSON not in content or "schema" not in content[JSON]:
            return None
        schema = f"{pointer}/content/{_escape(JSON)}/schema"
        return self._follow(schema)

    def _follow(self, pointer: str) -> str:
        """Where a ``$ref`` at ``pointer`` leads, or ``pointer`` itself."""
        node = self._at(pointer)
        while isinstance(node, dict) and "$ref" in node:
            pointer = node["$ref"].removeprefix("#")
            node = self._at(pointer)
        return pointer

    def _at(self, pointer: str) -> Any:
        node: Any = self.document
        for part in pointer.lstrip("/").split("/"):
            key = part.replace("~1", "/").replace("~0", "~")
            node = node[key] if key in node else node[int(key)]
        return node


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _describe(error: ValidationError) -> str:
    where = "/".join(str(part) for part in error.absolute_path) or "(root)"
    return f"{where}: {error.message}"
