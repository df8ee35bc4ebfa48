"""One VoIP registration per station device (TRB-2; RULES section 5 "left open"). Pure.

The documents: "ensure that there is no other device or VoIP myPortal @work client
registered with the same station number" (004:329, a troubleshooting step for a client
that fails); "the user should have only one VoIP connection either in home or in office"
and "only one VoIP client is supported ... the VoIP functionality from the other client
should be unregistered" (004:130-138).

The lab's choice: the first registration holds the station; a second one from another
client is refused (SIP 403) until the first unregisters or expires. The holder refreshing
its own registration is always accepted. "Its own" means the same registering client:
the same Call-ID (RFC 3261 10.2: a UA keeps one Call-ID for all REGISTERs to a registrar),
the same +sip.instance, the same Contact, or the same source address and transport (the
same TCP/TLS connection, when a client behind NAT rewrites its Contact). A refused attempt
is kept and shown in the open connections.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Outcome(StrEnum):
    NEW = "new"
    REFRESH = "refresh"
    REPLACED_EXPIRED = "replaced_expired"
    REFUSED = "refused"


@dataclass(frozen=True)
class Binding:
    contact: str
    source: str
    transport: str
    call_id: str | None
    instance: str | None
    since: datetime
    expires_at: datetime


def same_client(held: Binding, claim: Binding) -> bool:
    if held.call_id and claim.call_id and held.call_id == claim.call_id:
        return True
    if held.instance and claim.instance:
        return held.instance == claim.instance
    return held.contact == claim.contact or (held.source == claim.source and held.transport == claim.transport)


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    message: str
    retry_after_s: float = 0.0
    """system seconds until the holder's registration expires (refusals only)"""

    @property
    def accepted(self) -> bool:
        return self.outcome is not Outcome.REFUSED


def decide(station: str, held: Binding | None, claim: Binding, now: datetime) -> Decision:
    if held is None:
        return Decision(Outcome.NEW, f"station {station} registered")
    if held.expires_at <= now:
        return Decision(
            Outcome.REPLACED_EXPIRED, f"station {station} registered (the previous registration had expired)"
        )
    if same_client(held, claim):
        return Decision(Outcome.REFRESH, f"station {station} registration refreshed")
    return Decision(
        Outcome.REFUSED,
        f"Station {station} already has a VoIP registration from {held.source} over {held.transport.upper()} since "
        f"{held.since:%Y-%m-%d %H:%M:%S} UTC; only one VoIP registration per station is allowed. "
        "Unregister the other client first.",
        (held.expires_at - now).total_seconds(),
    )
