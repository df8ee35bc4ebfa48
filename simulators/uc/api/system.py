"""The UC API's system routes: liveness and what the client learns about the system first.

GET /health          liveness, on any scheme (the front door's and the lab's readiness check)
GET /api/v1/system   the system's name, UC mode, release, SIP domain and clock (time scale)
"""

# no `from __future__ import annotations`: FastAPI reads the routes' annotations as objects
from fastapi import APIRouter

from ..state.core import State
from . import models as m
from .access import Access
from .errors import error_responses


def router(state: State, access: Access) -> APIRouter:
    api = APIRouter(tags=["system"])

    @api.get("/health", summary="liveness (any scheme)")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @api.get("/api/v1/system", response_model=m.SystemInfo, responses=error_responses())
    def system_info() -> m.SystemInfo:
        cfg = state.config.system
        return m.SystemInfo(
            name=cfg.name,
            mode=cfg.mode.value,
            release=cfg.release.value,
            time_scale=state.time_scale.factor,
            now=state.now(),
            sip_domain=cfg.sip_domain,
        )

    return api
