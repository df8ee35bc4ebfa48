"""The UC API's own picture (UC-IMG-1, 000:1735-1760): upload, show, delete; others see it.

PUT    /api/v1/picture                  upload a JPG or PNG (raw body), stored scaled to 200 x 200
GET    /api/v1/picture                  your stored picture
DELETE /api/v1/picture                  delete it (000:1754-1760)
GET    /api/v1/users/{number}/picture   another user's picture (directories, favorites: 000:541, 000:1726)
"""

# no `from __future__ import annotations`: FastAPI reads the routes' annotations as objects
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from ..rules import picture as pic
from ..state.core import Session, State
from ..state.directory import StoredPicture
from . import models as m
from .access import Access, owner
from .errors import ApiError, error_responses, read_body, refuse_unless

UPLOAD_MAX_BYTES = 16 * 1024 * 1024
"""What the lab reads at all; up to this the rule's own message names the size (512 kB allowed)."""
_IMAGE_REPLY: dict[int | str, dict[str, Any]] = {
    200: {"content": m.binary_body("image/jpeg", "image/png")["content"], "description": "the picture, 200 x 200"}
}


def router(state: State, access: Access) -> APIRouter:
    api = APIRouter(tags=["picture"])
    UserSession = Annotated[Session, Depends(access.user_session)]

    def view(stored: StoredPicture) -> m.PictureView:
        p = stored.picture
        return m.PictureView(
            media_type="image/jpeg" if p.format == "jpeg" else "image/png",
            width=pic.SIZE,
            height=pic.SIZE,
            bytes=len(p.data),
            original_format=p.original_format,
            original_width=p.original_width,
            original_height=p.original_height,
            original_bytes=p.original_bytes,
            updated_at=stored.updated_at,
        )

    def image(stored: StoredPicture | None, whose: str) -> Response:
        if stored is None:
            raise ApiError(404, "no_picture", f"{whose} no picture.")
        return Response(stored.picture.data, media_type=stored.picture.media_type)

    def store(number: str, data: bytes) -> m.PictureView:
        picture, verdict = pic.check_picture(data)
        if picture is None:
            raise ApiError.refused(400, "picture_rules", verdict)
        return view(state.set_picture(number, picture, state.now()))

    @api.put(
        "/api/v1/picture",
        response_model=m.PictureView,
        responses=error_responses(400, 401, 413),
        openapi_extra={"requestBody": m.binary_body("image/jpeg", "image/png")},
    )
    async def upload_picture(request: Request, session: UserSession) -> m.PictureView:
        """Provide your own picture (000:1735-1752): JPG or PNG, at least 40 x 40 pixels, at most 512 kB;
        stored scaled to 200 x 200 pixels. UC Smart mode only (000:1750)."""
        refuse_unless(pic.check_mode(state.mode), 403, "picture_uc_smart_only")
        data = await read_body(request, UPLOAD_MAX_BYTES, "the picture")
        return await run_in_threadpool(store, owner(session), data)

    @api.get("/api/v1/picture", response_class=Response, responses={**_IMAGE_REPLY, **error_responses(401, 404)})
    def my_picture(session: UserSession) -> Response:
        return image(state.picture(owner(session)), "You have")

    @api.delete("/api/v1/picture", response_model=m.MessageReply, responses=error_responses(401, 404))
    def delete_picture(session: UserSession) -> m.MessageReply:
        """Delete your own picture (000:1754-1760)."""
        if not state.delete_picture(owner(session)):
            raise ApiError(404, "no_picture", "You have no picture.")
        return m.MessageReply(message="Your picture has been deleted.")

    @api.get(
        "/api/v1/users/{number}/picture",
        response_class=Response,
        responses={**_IMAGE_REPLY, **error_responses(401, 404, 422)},
    )
    def users_picture(
        number: Annotated[str, Path(pattern=r"^\d{1,16}$", description="internal number")], session: UserSession
    ) -> Response:
        """Another user's picture, as directories and favorites show it (000:541, 000:1726)."""
        user = state.user(number)
        if user is None:
            raise ApiError(404, "no_such_user", f"There is no user with number {number}.")
        return image(state.picture(number), f"{user.name} has")

    return api
