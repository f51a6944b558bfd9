from envplane.core.routing import APIRouter

router = APIRouter()
