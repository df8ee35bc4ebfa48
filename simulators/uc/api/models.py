"""The UC API's request and response bodies (published in its OpenAPI spec).

Requests refuse unknown fields (a typo gets "did you mean ...?"), over-long values and text
that cannot be stored (lone surrogates), with a 422 naming the field and the fix.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from ..rules.clients import ClientKind
from ..rules.directories import Directory
from ..rules.presence import INFO_TEXT_MAX, ForwardTarget, Status, Visibility


def _encodable(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(
            "contains characters that cannot be encoded (lone surrogates); send valid Unicode text"
        ) from None
    return value


def _sane_time(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError("is out of range; give a date and time between the years 1970 and 9998") from None
    if not 1970 <= utc.year <= 9998:
        raise ValueError("is out of range; give a date and time between the years 1970 and 9998")
    return utc


def _user_name(value: str) -> str:
    if not value.isascii() or not value.isdigit() or not 1 <= len(value) <= 16:
        raise ValueError("the user name is your internal phone number (digits), e.g. 200")
    return value


Text = Annotated[str, AfterValidator(_encodable)]
Secret = Annotated[str, Field(max_length=256), AfterValidator(_encodable)]
Pin = Annotated[str, Field(max_length=32), AfterValidator(_encodable)]
UserName = Annotated[
    str, Field(max_length=64, json_schema_extra={"pattern": r"^\d{1,16}$"}), AfterValidator(_user_name)
]
Number = Annotated[str, Field(pattern=r"^\d{1,16}$", description="an internal number (digits)")]
ReturnTime = Annotated[AwareDatetime, AfterValidator(_sane_time)]


def binary_body(*media_types: str) -> dict[str, Any]:
    """The OpenAPI request body of a file upload (raw bytes of one of `media_types`)."""
    schema = {"type": "string", "format": "binary"}
    return {"required": True, "content": {t: {"schema": schema} for t in media_types}}


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reply(BaseModel):
    pass


# ------------------------------------------------------------------ errors


class ErrorBody(Reply):
    """Every error: a stable code, a message a user can act on, and the violated rules (if any)."""

    error: str = Field(description="stable machine code, e.g. wrong_credentials, password_rules")
    message: str = Field(description="what is wrong and what to do")
    violations: list[str] = Field(default_factory=list, description="codes of the violated rules or invalid fields")


class MessageReply(Reply):
    message: str


# ------------------------------------------------------------------ system, login


class SystemInfo(Reply):
    name: str
    mode: str = Field(description="smart or suite")
    release: str
    time_scale: float = Field(description="real seconds per documented second")
    now: datetime = Field(description="the system clock (runs 1/time_scale as fast as real time)")
    sip_domain: str


class LoginRequest(Request):
    user: UserName = Field(description="your internal number (000:326)")
    password: Secret
    client: ClientKind = Field(ClientKind.AT_WORK, description="the UC client logging in")


class LoginReply(Reply):
    token: str = Field(description="send as 'Authorization: Bearer <token>'")
    session_id: str
    user: str
    name: str
    mode: str
    release: str
    password_change_required: bool = Field(
        description="the administrator requires a new password first (UC-LOGIN-2); only POST /api/v1/password "
        "and logout work until it is changed"
    )


class AdminLoginRequest(Request):
    password: Secret


class AdminLoginReply(Reply):
    token: str
    session_id: str


class PasswordChange(Request):
    old_password: Secret | None = Field(None, description="UC Smart only (000:1865); UC Suite has no such field")
    new_password: Secret
    repeat_password: Secret


class Me(Reply):
    number: str
    name: str
    licences: list[str]
    mode: str
    release: str
    is_mulap: bool
    must_change_password: bool
    voip_enabled: bool
    controlled_device: str | None
    client: ClientKind
    session_id: str


# ------------------------------------------------------------------ open connections (TRB-2)


class UcSessionView(Reply):
    session_id: str
    user: str
    client: ClientKind
    address: str
    since: datetime
    last_seen: datetime


class RegistrationView(Reply):
    user: str = Field(description="the number the device belongs to (the MULAP number for members)")
    station: str
    sip_user: str
    device_kind: str
    contact: str
    source: str
    transport: str
    since: datetime
    expires_at: datetime


class RefusedRegistrationView(Reply):
    station: str
    sip_user: str
    contact: str
    source: str
    transport: str
    at: datetime
    reason: str


class Connections(Reply):
    uc_sessions: list[UcSessionView]
    voip_registrations: list[RegistrationView]
    refused_registrations: list[RefusedRegistrationView] = Field(
        description="recent second registrations the system refused (one VoIP registration per station)"
    )


# ------------------------------------------------------------------ presence (UC-PRES-1..3)


class ForwardingView(Reply):
    target: ForwardTarget
    external_number: str | None


class PresenceView(Reply):
    status: Status
    return_time: datetime | None
    return_time_announced: bool = Field(description="false once the return time has passed (000:694)")
    info_text: str
    visibility: Visibility
    forwarding: dict[Status, ForwardingView]
    callme_active: bool


class PresenceUpdate(Request):
    status: Status
    return_time: ReturnTime | None = Field(None, description="not for Office (000:634)")
    info_text: Text = Field("", max_length=INFO_TEXT_MAX)
    forward_to: ForwardTarget | None = Field(None, description="omit to keep this status's destination")
    external_number: Text | None = Field(None, max_length=40)


class VisibilityUpdate(Request):
    visibility: Visibility


class PresenceOptions(Reply):
    """What the presence menu offers this user now (000:639-649, 000:710, 000:730-733)."""

    statuses: list[Status] = Field(description="CallMe only while the CallMe service is active; no DND for a MULAP")
    forwarding_targets: list[ForwardTarget] = Field(description="empty: set by another UC Suite client (000:679)")
    visibilities: list[Visibility]
    callme_available: bool = Field(description="REL-CALLME: the CallMe service exists in this mode and release")
    callme_active: bool


class OthersPresence(Reply):
    user: str
    name: str
    visible: bool = Field(description="false: the presence is not visible (000:650)")
    status: Status | None
    return_time: datetime | None
    info_text: str | None


# ------------------------------------------------------------------ voicemail PIN (UC-PIN)


class PinChange(Request):
    old_pin: Pin
    new_pin: Pin
    repeat_pin: Pin


class PreassignedPinChange(Request):
    """Stands in for the voicemail box's phone dialogue (001:1685-1698) until the call core has one."""

    preassigned_pin: Pin
    new_pin: Pin
    repeat_pin: Pin


# ------------------------------------------------------------------ VoIP (UC-VOIP-1)


class VoipEnable(Request):
    controlled_device: Number | None = Field(None, description="MULAP users: the WebRTC phone number (000:2089)")


class VoipAccount(Reply):
    number: str = Field(description="the number callers see")
    station: str
    sip_user: str
    realm: str
    ha1: str = Field(description="MD5(sip_user:realm:password), for digest authentication")
    sip_domain: str


# ------------------------------------------------------------------ admin view


class DeviceView(Reply):
    id: str
    kind: str
    station: str
    sip_user: str
    mulap: str | None


class AdminUser(Reply):
    number: str
    name: str
    licences: list[str]
    is_mulap: bool
    must_change_password: bool
    pin_is_preset: bool
    voip_enabled: bool
    controlled_device: str | None
    presence: Status
    devices: list[DeviceView]


# ------------------------------------------------------------------ SIP side (internal)


class RegistrationClaim(Request):
    sip_user: Text = Field(max_length=64)
    contact: Text = Field(max_length=1024)
    source: Text = Field(max_length=64, description="ip:port the REGISTER came from")
    transport: Text = Field(max_length=8)
    expires_s: float | None = Field(None, ge=0, le=604_800, description="granted lifetime on the wire (seconds)")
    call_id: Text | None = Field(None, max_length=256)
    instance: Text | None = Field(None, max_length=256)


class RegistrationRelease(Request):
    sip_user: Text = Field(max_length=64)
    contact: Text | None = Field(None, max_length=1024)
    source: Text | None = Field(None, max_length=64)
    transport: Text | None = Field(None, max_length=8)
    call_id: Text | None = Field(None, max_length=256)
    instance: Text | None = Field(None, max_length=256)


class RegistrationDecisionView(Reply):
    accepted: bool
    outcome: str
    sip_code: int
    sip_reason: str
    message: str
    retry_after_s: float
    registration: RegistrationView | None
    holder: RegistrationView | None


class ReleaseReply(Reply):
    released: bool


# ------------------------------------------------------------------ directories (UC-DIR-1, REL-SEARCH)

PhoneKind = Literal["internal", "business", "private", "mobile", "speed_dial"]
LongText = Annotated[str, Field(max_length=1000), AfterValidator(_encodable)]
ContactId = Annotated[str, Field(min_length=1, max_length=64, description="the id of a directory entry")]


class PhoneView(Reply):
    kind: PhoneKind
    number: str


class DirectoryHit(Reply):
    """One directory entry as search results show it (000:537-556)."""

    directory: Directory
    id: str = Field(description="with the directory, identifies the entry (e.g. to add it to the favorites)")
    name: str
    phones: list[PhoneView] = Field(
        description="internal, business, private, mobile (000:549-554); speed_dial for the system directory; the "
        "first one is what the dial shortcut calls (000:1151)"
    )
    email: str | None
    presence: OthersPresence | None = Field(description="internal subscribers only (000:543)")
    has_picture: bool


class DirectoryInfo(Reply):
    directory: Directory
    label: str
    entries: int
    editable: bool = Field(description="whether you manage it with this client (personal contacts in UC Smart)")


class SearchReply(Reply):
    query: str
    match: Literal["starting_with", "containing"]
    directory: Directory | None = Field(description="the directory searched; null: all")
    total: int
    hits: list[DirectoryHit] = Field(description="alphabetical; at most `limit`")
    truncated: bool


class ContactData(Request):
    """A personal contact (000:1935-1948): a name, phone numbers (canonical format recommended, 000:528)."""

    name: LongText
    business: LongText | None = None
    mobile: LongText | None = None
    private: LongText | None = Field(None, description="private or external number")
    email: LongText | None = None


class OwnContactChange(Request):
    """Your own contact data (000:1733): give the fields to change; an empty value or null deletes one.
    Your name and internal number are the administrator's and cannot be changed here."""

    mobile: LongText | None = Field(None, description="Mobile Phone Number (canonical format, e.g. +49891234567)")
    home: LongText | None = Field(None, description="Home/External phone number (canonical format)")
    email: LongText | None = Field(None, description="My Email Address")

    @model_validator(mode="before")
    @classmethod
    def _administrators_fields(cls, data: Any) -> Any:
        fixed = [k for k in ("name", "number") if isinstance(data, dict) and k in data]
        if fixed:
            raise ValueError(
                f"{' and '.join(fixed)} cannot be changed: your name and internal number are set by your "
                "administrator; change mobile, home or email"
            )
        return data


class OwnContactView(Reply):
    """Your contact data as you and other subscribers see it (000:1726)."""

    number: str = Field(description="your internal number, set by the administrator")
    name: str = Field(description="your name, set by the administrator")
    mobile: str | None
    home: str | None
    email: str | None
    set_by_you: list[str] = Field(
        description="the fields you set or deleted; the others show what the administrator entered (000:1479)"
    )


class PersonalContactView(Reply):
    id: str
    name: str
    business: str | None
    mobile: str | None
    private: str | None
    email: str | None
    origin: Literal["manual", "csv", "xml"] = Field(
        description="manual: added or edited in the client, no longer synchronised by imports (000:520)"
    )
    created_at: datetime
    updated_at: datetime


class PersonalContacts(Reply):
    contacts: list[PersonalContactView]
    count: int
    limit: int = Field(description="3000 in UC Smart (000:1948)")


class ImportReply(Reply):
    message: str
    added: int
    updated: int = Field(description="earlier imported contacts of the same name, updated in place")
    removed: int = Field(description="earlier imported contacts no longer in the file")
    kept: int = Field(description="manually added or edited contacts, left alone")
    total: int


# ------------------------------------------------------------------ favorites (UC-FAV-1)


class GroupName(Request):
    name: LongText


class FavoriteAdd(Request):
    directory: Directory
    contact_id: ContactId


class FavoriteView(Reply):
    favorite_id: int
    contact: DirectoryHit
    added_at: datetime


class FavoriteGroupView(Reply):
    id: int
    name: str
    entries: list[FavoriteView]


class Favorites(Reply):
    groups: list[FavoriteGroupView]


# ------------------------------------------------------------------ own picture (UC-IMG-1)


class PictureView(Reply):
    media_type: Literal["image/jpeg", "image/png"]
    width: int
    height: int
    bytes: int
    original_format: Literal["jpeg", "png"]
    original_width: int
    original_height: int
    original_bytes: int
    updated_at: datetime


# ------------------------------------------------------------------ calls (UC-CONF-1)


class PhoneConferenceReply(Reply):
    """The Conference button of the Call window (000:1331-1339): the calls joined."""

    conference: int = Field(description="the phone-controlled conference (no PINs; not a MeetMe conference)")
    participants: int = Field(description="participants now, you included (at most 8, 000:1513)")
    message: str
