"""Load nft files in-process through libnftables (the library behind `nft -f`).

Same parser, same kernel calls, same error messages as `nft -f FILE`, without a process
per router. Everything runs with the calling thread inside the router's namespace
(`netns.entered`), so the library's netlink socket belongs to that namespace.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from pathlib import Path

from . import netns

_NFT_CTX_DEFAULT = 0
_lib: ctypes.CDLL | None = None


class NftError(RuntimeError):
    pass


def _load() -> ctypes.CDLL:
    global _lib
    if _lib is None:
        name = ctypes.util.find_library("nftables") or "libnftables.so.1"
        try:
            lib = ctypes.CDLL(name, use_errno=True)
        except OSError as exc:
            raise NftError(f"libnftables not found ({exc}); install the nftables package (make setup)") from None
        lib.nft_ctx_new.restype = ctypes.c_void_p
        lib.nft_ctx_new.argtypes = [ctypes.c_uint32]
        lib.nft_ctx_free.argtypes = [ctypes.c_void_p]
        lib.nft_ctx_buffer_output.argtypes = [ctypes.c_void_p]
        lib.nft_ctx_buffer_error.argtypes = [ctypes.c_void_p]
        lib.nft_ctx_get_output_buffer.restype = ctypes.c_char_p
        lib.nft_ctx_get_output_buffer.argtypes = [ctypes.c_void_p]
        lib.nft_ctx_get_error_buffer.restype = ctypes.c_char_p
        lib.nft_ctx_get_error_buffer.argtypes = [ctypes.c_void_p]
        lib.nft_run_cmd_from_filename.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.nft_run_cmd_from_buffer.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        _lib = lib
    return _lib


def _run(ns: str, fn: str, arg: bytes) -> str:
    lib = _load()
    with netns.entered(ns):
        ctx = lib.nft_ctx_new(_NFT_CTX_DEFAULT)
        if not ctx:
            raise NftError(f"nft_ctx_new failed in namespace {ns}")
        try:
            lib.nft_ctx_buffer_output(ctx)
            lib.nft_ctx_buffer_error(ctx)
            rc = getattr(lib, fn)(ctx, arg)
            out = (lib.nft_ctx_get_output_buffer(ctx) or b"").decode(errors="replace")
            err = (lib.nft_ctx_get_error_buffer(ctx) or b"").decode(errors="replace")
        finally:
            lib.nft_ctx_free(ctx)
    if rc != 0:
        raise NftError(err.strip() or f"nft failed with code {rc}")
    return out


def load_file(ns: str, path: Path) -> None:
    """`nft -f path` inside namespace `ns`."""
    _run(ns, "nft_run_cmd_from_filename", str(path).encode())


def command(ns: str, cmd: str) -> str:
    """`nft cmd` inside namespace `ns`; returns the output (e.g. of a list command)."""
    return _run(ns, "nft_run_cmd_from_buffer", cmd.encode())
