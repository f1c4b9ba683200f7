"""ClamAV through clamd (optional): a file the scanner could not scan is ``not_scanned``,
never ``clean``."""

from __future__ import annotations

import socket
import struct
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

import clamd

from .base import CHUNK, _show
from .messages import MSG_SCAN_FAILED, MSG_SCAN_INFECTED


class _StreamingMixin:
    """INSTREAM with ``sendall`` and a connect timeout (clamd 1.0.2 uses ``send`` and
    connects before setting the timeout)."""

    timeout: float | None

    def instream(self, buff: BinaryIO) -> dict:
        self._init_socket()
        try:
            self.clamd_socket.sendall(b"nINSTREAM\n")
            while chunk := buff.read(CHUNK):
                self.clamd_socket.sendall(struct.pack("!L", len(chunk)) + chunk)
            self.clamd_socket.sendall(struct.pack("!L", 0))
            reply = self._recv_response()
            if not reply:
                raise clamd.ResponseError("empty reply")
            path, signature, status = self._parse_response(reply)
            return {path: (status, signature)}
        finally:
            self._close_socket()


class _ClamdTCP(_StreamingMixin, clamd.ClamdNetworkSocket):
    def _init_socket(self) -> None:
        try:
            self.clamd_socket = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as exc:
            raise clamd.ConnectionError(self._error_message(exc)) from exc


class _ClamdUnix(_StreamingMixin, clamd.ClamdUnixSocket):
    def _init_socket(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.unix_socket)
        except OSError as exc:
            sock.close()
            raise clamd.ConnectionError(self._error_message(exc)) from exc
        self.clamd_socket = sock


def _clamd_client(url: str, timeout: float):
    parts = urlsplit(url)
    if parts.scheme == "tcp" and parts.hostname:
        return _ClamdTCP(parts.hostname, parts.port or 3310, timeout=timeout)
    if parts.scheme == "unix" and parts.path:
        return _ClamdUnix(parts.path, timeout=timeout)
    raise ValueError(url)


def _scan(path: Path, url: str, timeout: float) -> tuple[str, str]:
    """("clean" | "infected" | "not_scanned", message)."""
    try:
        client = _clamd_client(url, timeout)
        with open(path, "rb") as fh:
            reply = client.instream(fh)
    except ValueError:  # includes a malformed port
        return "not_scanned", MSG_SCAN_FAILED.format(reason="cấu hình ClamAV không hợp lệ")
    except (clamd.ClamdError, OSError):
        return "not_scanned", MSG_SCAN_FAILED.format(reason="không kết nối được hoặc ClamAV không phản hồi")
    status, signature = next(iter(reply.values()), ("", None))
    signature = signature or ""
    if status == "OK":
        return "clean", ""
    if status == "FOUND":
        if signature.startswith(("Heuristics.Limits.Exceeded", "Heuristics.Encrypted")):
            return "not_scanned", MSG_SCAN_FAILED.format(
                reason=f"ClamAV không quét hết được tệp: {signature}"
            )
        return "infected", MSG_SCAN_INFECTED.format(signature=_show(signature))
    return "not_scanned", MSG_SCAN_FAILED.format(reason="ClamAV báo lỗi khi quét")
