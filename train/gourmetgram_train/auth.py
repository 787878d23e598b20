"""The trigger token: compared in constant time, and checked before a request body is read."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response, status
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gourmetgram_train.config import Settings, get_settings

bearer = HTTPBearer(auto_error=False, description="Needed only when TRIGGER_TOKEN is set")


def token_matches(expected: str | None, given: str | None) -> bool:
    """Whether a trigger may run: no token configured, or the given one equals it."""
    if not expected:
        return True
    return given is not None and secrets.compare_digest(expected.encode(), given.encode())


def require_token(settings: Settings, credentials: HTTPAuthorizationCredentials | None) -> None:
    """Raise 401 unless the request carries `Authorization: Bearer <TRIGGER_TOKEN>`."""
    expected = settings.trigger_token.get_secret_value() if settings.trigger_token else None
    if not token_matches(expected, credentials.credentials if credentials else None):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="missing or wrong token: send 'Authorization: Bearer <TRIGGER_TOKEN>'",
            headers={"WWW-Authenticate": "Bearer"},
        )


class TokenFirstRoute(APIRoute):
    """A route that checks the token before FastAPI reads and parses the body.

    FastAPI parses a JSON body before it solves dependencies, so a token dependency alone
    would answer a malformed body with 422 to anyone; here a stranger gets 401 whatever
    the body holds.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, behind the token check."""
        handle = super().get_route_handler()

        async def checked(request: Request) -> Response:
            settings = request.app.dependency_overrides.get(get_settings, get_settings)()
            require_token(settings, await bearer(request))
            return await handle(request)

        return checked
