"""myPortal @work's Conference Management, as the client drives it (UC API, UC-CONF-2..5).

Thin and untyped on purpose: suites assert on the JSON the stub returns (ids, states, PINs,
texts) and on the errors (`UcApiError` with status, code and the exact message).
"""

from __future__ import annotations

from typing import Any

from .ucapi import UcApi

BASE = "/api/v1/conferences"


class Conferences:
    def __init__(self, api: UcApi) -> None:
        self.api = api

    async def create(self, name: str, guest_pin_allowed: bool = False) -> dict[str, Any]:
        body = {"name": name, "guest_pin_allowed": guest_pin_allowed}
        return dict(await self.api._call("POST", BASE, body))

    async def list(self) -> list[dict[str, Any]]:
        return list(await self.api._call("GET", BASE))

    async def get(self, conf: int) -> dict[str, Any]:
        return dict(await self.api._call("GET", f"{BASE}/{conf}"))

    async def change(self, conf: int, **changes: Any) -> dict[str, Any]:
        return dict(await self.api._call("PATCH", f"{BASE}/{conf}", changes))

    async def delete(self, conf: int) -> str:
        return str((await self.api._call("DELETE", f"{BASE}/{conf}"))["message"])

    async def end(self, conf: int) -> str:
        return str((await self.api._call("POST", f"{BASE}/{conf}/end"))["message"])

    async def add(self, conf: int, number: str | None = None, **external: Any) -> dict[str, Any]:
        body = {"number": number} if number is not None else external
        return dict(await self.api._call("POST", f"{BASE}/{conf}/participants", body))

    async def remove(self, conf: int, member: int) -> str:
        return str((await self.api._call("DELETE", f"{BASE}/{conf}/participants/{member}"))["message"])

    async def disconnect(self, conf: int, member: int) -> str:
        return str((await self.api._call("POST", f"{BASE}/{conf}/participants/{member}/disconnect"))["message"])

    async def set_moderator(self, conf: int, member: int, on: bool = True) -> dict[str, Any]:
        path = f"{BASE}/{conf}/participants/{member}/moderator"
        return dict(await self.api._call("PUT", path, {"moderator": on}))

    async def invitation(self, conf: int, member: int | None = None) -> dict[str, Any]:
        params = {"participant": member} if member is not None else None
        return dict(await self.api._call("GET", f"{BASE}/{conf}/invitation", params=params))

    async def participant(self, conf: int, number: str) -> dict[str, Any]:
        found = [p for p in (await self.get(conf))["participants"] if p["number"] == number]
        if not found:
            raise LookupError(f"{number} is not listed in conference {conf}")
        return dict(found[0])
