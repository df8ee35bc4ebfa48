"""Codecs: how many the SDP answer carries, and which tones were validated per codec.

pjsua answers an offer with ONE codec (pjmedia is built with
PJMEDIA_SDP_NEG_ANSWER_MULTIPLE_CODECS=0) and has no runtime switch in pjsua2. A WebRTC
client such as myPortal @work answers with every codec it shares with the offer unless
"Codec Preselection" is on (000:2093-2114). `answer_with_all_codecs` flips the negotiator
of one INVITE session to the WebRTC behaviour through pjmedia's own exported function
`pjmedia_sdp_neg_set_answer_multiple_codecs`, reaching the negotiator from the
transaction pjsua2 hands to `Call.onCallTsxState` (tsx -> dialog -> invite session).
The invite session's layout is that of pjsip 2.15 (`neg` two words after `dlg`); the
pointer is checked through `pjmedia_sdp_neg_get_state` before it is used.
"""

from __future__ import annotations

import ctypes
import json
from functools import cache
from pathlib import Path
from typing import Any

import pjsua2 as pj

VALIDATION_FILE = Path(__file__).with_name("tone_validation.json")
_NEG_STATES = {1, 2, 3, 4}  # LOCAL_OFFER, REMOTE_OFFER, WAIT_NEGO, DONE


class _Lib:
    def __init__(self) -> None:
        lib = ctypes.CDLL(pj._pjsua2.__file__)
        self.tsx_get_dlg = lib.pjsip_tsx_get_dlg
        self.tsx_get_dlg.restype = ctypes.c_void_p
        self.tsx_get_dlg.argtypes = [ctypes.c_void_p]
        self.dlg_get_inv = lib.pjsip_dlg_get_inv_session
        self.dlg_get_inv.restype = ctypes.c_void_p
        self.dlg_get_inv.argtypes = [ctypes.c_void_p]
        self.neg_state = lib.pjmedia_sdp_neg_get_state
        self.neg_state.restype = ctypes.c_int
        self.neg_state.argtypes = [ctypes.c_void_p]
        self.set_multiple = lib.pjmedia_sdp_neg_set_answer_multiple_codecs
        self.set_multiple.restype = ctypes.c_int
        self.set_multiple.argtypes = [ctypes.c_void_p, ctypes.c_int]


@cache
def _lib() -> _Lib:
    return _Lib()


def answer_with_all_codecs(pj_transaction: Any, enable: bool = True) -> bool:
    """Make the INVITE session of `pj_transaction` answer with all matching codecs.

    `pj_transaction` is `SipTransaction.pjTransaction` from a call's tsx-state event, on
    the pjsua2 thread. Returns False when the session or negotiator is not there (yet).
    """
    if pj_transaction is None:
        return False
    lib = _lib()
    dlg = lib.tsx_get_dlg(int(pj_transaction))
    if not dlg:
        return False
    inv = lib.dlg_get_inv(dlg)
    if not inv:
        return False
    words = (ctypes.c_uint64 * 48).from_address(inv)
    for i in range(46):
        if words[i] == dlg:
            neg = words[i + 2]
            if neg and lib.neg_state(neg) in _NEG_STATES:
                lib.set_multiple(neg, 1 if enable else 0)
                return True
            return False
    return False


def validated_tones(codec: str) -> tuple[int, ...]:
    """Tone frequencies recorded as clean through `codec` (e.g. 'PCMA'); () if never validated."""
    try:
        record = json.loads(VALIDATION_FILE.read_text())
    except (OSError, ValueError):
        return ()
    entry = record.get("codecs", {}).get(codec.split("/")[0], {})
    return tuple(int(f) for f in entry.get("clean", []))
