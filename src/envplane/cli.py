"""The command line: serve, migrate, and issue tokens."""

from typing import Annotated

import typer
import uvicorn

from envplane.auth.service import auth_service
from envplane.auth.tokens import JwtAuthority
from envplane.core.config import get_settings
from envplane.core.database import create_db_engine, create_session_factory, transaction
from envplane.core.keys import load_signing_key
from envplane.core.migrate import upgrade

app = typer.Typer(help=__doc__, no_args_is_help=True)
token_app = typer.Typer(
    help="Tokens for people to call the API with.", no_args_is_help=True
)
app.add_typer(token_app, name="token")


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema to the latest revision."""
    upgrade(get_settings().database_url)
    typer.echo("database is at the latest revision")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Migrate the database, then serve the API."""
    upgrade(get_settings().database_url)
    uvicorn.run(
        "envplane.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )


@token_app.command("issue")
def issue_token(
    email: Annotated[str, typer.Option(help="Email of the user the token is for.")],
    name: Annotated[
        str | None, typer.Option(help="Display name of a new user.")
    ] = None,
) -> None:
    """Issue a signed JWT for a user, creating the user on first use.

    The token is printed on the last line.
    """
    settings = get_settings()
    upgrade(settings.database_url)
    engine = create_db_engine(settings.database_url)
    with transaction(create_session_factory(engine)) as session:
        user = auth_service.local_user(
            session, email=email, issuer=settings.JWT_ISSUER, name=name
        )
    engine.dispose()
    authority = JwtAuthority(settings, load_signing_key(settings))
    typer.echo(
        f"user {user.email} ({user.id}), token valid {settings.JWT_TTL_SECONDS}s:"
    )
    typer.echo(authority.issue(subject=user.id, email=user.email))
