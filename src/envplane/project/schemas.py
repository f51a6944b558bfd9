from envplane.core.schemas import BaseRecord, Name, ReferenceObject, Schema


class ProjectRequest(Schema):
    name: Name
    description: str | None = None


class Project(BaseRecord):
    name: str
    description: str | None = None
    associated_environments_count: int
    organization: ReferenceObject


class ProjectResponseList(Schema):
    results: list[Project]
