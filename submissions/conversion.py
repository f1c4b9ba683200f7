"""PPTX and DOCX to PDF by LibreOffice headless, and the page count of the result.

Pure Python like `checks` (no Django, no models): the service `services.previews` downloads the
file, calls `convert_to_pdf` without holding any lock and records the outcome.

How LibreOffice is run, and why:

- Its own session and process group (`start_new_session=True`). `soffice` is a shell script
  that starts `oosplash`, which starts `soffice.bin`; killing only the child would leave the
  real converter running. On a timeout the WHOLE group gets SIGKILL, and we wait until no live
  process of the group is left; the group is killed the same way after a normal exit, so no
  straggler outlives a conversion.
- A private profile (`-env:UserInstallation`) inside the work directory: two conversions at once
  never share a profile or its lock, and nothing of a previous document leaks into the next.
  The profile is seeded with macros disabled (security level "very high", macro execution
  off) and links from untrusted documents blocked.
- A minimal environment: HOME and TMPDIR in the work directory, no proxy variables, no display.
- No network: a headless `--convert-to` run makes no update check or other request by itself
  (Debian's build has no online-update module, and we pass no option that would turn one on);
  the seeded profile also blocks fetching images a document links from outside. The servers
  need no network for a conversion.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PyPdfError

STDERR_TAIL = 400
_KILL_WAIT_SECONDS = 10.0

_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
<prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
<prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
<prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""


class ConversionError(Exception):
    """A conversion that produced no PDF; the message is technical (logs, support staff)."""


class ConversionUnavailable(ConversionError):
    """LibreOffice is not installed on this server (a newcomer's laptop)."""


class ConversionTimeout(ConversionError):
    """LibreOffice ran longer than the timeout; its whole process group was killed."""


class ConversionFailed(ConversionError):
    """LibreOffice ran to its end without a readable PDF (a document it cannot open)."""


def resolve_binary(binary: str) -> str | None:
    """The absolute path of the LibreOffice launcher (a name looked up on PATH, or a path)."""
    return shutil.which(binary) if binary else None


def convert_to_pdf(source: Path, workdir: Path, *, binary: str, timeout: float) -> Path:
    """Converts `source` (a .pptx or .docx) into a PDF inside `workdir` and returns its path.

    `workdir` must be an empty directory of the caller's, deleted by the caller afterwards. Raises
    ConversionUnavailable when `binary` is not found, ConversionTimeout after `timeout` seconds
    (every process of the run killed), ConversionFailed with the tail of LibreOffice's output.
    """
    executable = resolve_binary(binary)
    if executable is None:
        raise ConversionUnavailable(f"LibreOffice not found: {binary!r}")
    workdir = Path(workdir)
    profile, home, tmp, outdir = (workdir / name for name in ("profile", "home", "tmp", "out"))
    for folder in (profile / "user", home, tmp, outdir):
        folder.mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS, encoding="utf-8")
    command = [
        executable,
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--nodefault",
        "--nologo",
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--convert-to",
        "pdf",
        "--outdir",
        str(outdir),
        str(Path(source).resolve()),
    ]
    log = workdir / "soffice.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(  # noqa: S603 - a fixed argument list, no shell
            command,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=workdir,
            env=_environment(home, tmp),
            start_new_session=True,
        )
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_process_group(process)
            raise ConversionTimeout(
                f"LibreOffice did not finish within {timeout:g} s and was killed"
            ) from None
        except BaseException:  # the task's soft time limit, a worker shutting down
            kill_process_group(process)
            raise
        # A normal exit: anything the launcher left behind in its group goes too.
        kill_process_group(process)
    result = outdir / (Path(source).stem + ".pdf")
    if returncode != 0 or not result.is_file() or result.stat().st_size == 0:
        raise ConversionFailed(f"LibreOffice exited with {returncode} and no PDF: {_tail(log)}")
    return result


def pdf_page_count(path: Path) -> int:
    """The number of pages of a PDF (pypdf); ConversionFailed if it cannot be read."""
    try:
        return len(PdfReader(path).pages)
    except (PyPdfError, OSError, ValueError, KeyError) as exc:
        raise ConversionFailed(f"the converted PDF cannot be read: {type(exc).__name__}: {exc}") from exc


def kill_process_group(process: subprocess.Popen) -> None:
    """SIGKILLs every process of `process`'s group (it leads its own session), reaps the leader
    and waits until no live process of the group is left (zombies waiting for their new parent
    to reap them are dead already). Safe to call when the group is gone."""
    pgid = process.pid  # start_new_session: the leader's pid is the group's id
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
    deadline = time.monotonic() + _KILL_WAIT_SECONDS
    while _group_alive(pgid):
        if time.monotonic() > deadline:
            raise ConversionError(f"processes of group {pgid} survived SIGKILL")
        try:  # a member forked between the first signal and its own death
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def _group_alive(pgid: int) -> bool:
    """Whether a process of group `pgid` is still running (not a zombie)."""
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: ask the kernel whether the group has any member
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # exited meanwhile
            continue
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def _environment(home: Path, tmp: Path) -> dict[str, str]:
    """What LibreOffice needs and nothing more: no proxy variables, no display, no user HOME."""
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        # The headless back end: no X server is looked for.
        "SAL_USE_VCLPLUGIN": "svp",
    }


def _tail(log: Path) -> str:
    try:
        text = log.read_bytes()[-STDERR_TAIL:].decode("utf-8", "replace")
    except OSError:
        return ""
    return " ".join(text.split())
