"""Building blocks of the request and response models."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

# A name as the API takes it: surrounding blanks dropped, then 1 to 255 characters.
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)
]
Description = Annotated[str, StringConstraints(max_length=255)]


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class BaseRecord(Schema):
    """The official ``Base``: every record's id and timestamps."""

    id: uuid.UUID
    created_at: datetime
    updated_at: datetime | None = None


class ReferenceObject(Schema):
    id: uuid.UUID
