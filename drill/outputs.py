"""Writing a command's output file without losing anything: the one way every writer of drill
picks and writes a file.

A writer never replaces one of its own command's inputs (the scenario, the decisions, the log it
reads), never replaces an existing file unless asked to (``--force``), writes through a temporary
file beside the target and renames it into place (a crash or a full disk leaves the old file
whole), and keeps an existing file's permissions.
"""

from __future__ import annotations

import argparse
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from .diagnostics import DrillError
from .i18n import t


def add_force(parser: argparse.ArgumentParser) -> None:
    """The ``--force`` option of a command that writes a file."""
    parser.add_argument("--force", action="store_true", help=t("outputs.force_help"))


def same_file(a: Path | str, b: Path | str) -> bool:
    """Whether two names are one file (through links, ``..`` and hard links too)."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare where the names lead
        return os.path.realpath(a) == os.path.realpath(b)


def check_output(
    path: Path | str,
    *,
    inputs: Iterable[Path | str | None] = (),
    force: bool = False,
    exists: str | None = None,
    what: str = "outputs.cannot_write",
) -> Path:
    """``path`` if a command may write it: not one of its ``inputs`` (ever), not a folder or a
    device, and not an existing file unless ``force`` (``exists``: the command's own message for
    that; ``what``: its message key for "cannot write {file}: {reason}"). Call it before the work,
    so a long run is not lost to a refusal at the end."""
    out = Path(path)
    for name in inputs:
        if name is not None and str(name) and Path(name).exists() and same_file(out, name):
            raise DrillError(t("outputs.is_input", file=str(path), input=str(name)))
    try:
        mode = os.stat(out).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise _cannot_write(path, exc, what) from exc
    if mode is not None:
        if stat.S_ISDIR(mode):
            raise DrillError(t(what, file=str(path), reason=t("outputs.is_folder")))
        if not stat.S_ISREG(mode):
            raise DrillError(t(what, file=str(path), reason=t("outputs.not_regular")))
        if not force:
            raise DrillError(exists or t("outputs.exists", file=str(path)))
    if not out.parent.is_dir():
        raise DrillError(t(what, file=str(path), reason=t("outputs.no_folder", folder=str(out.parent))))
    return out


def _new_file_mode() -> int:
    """The permissions a plain ``open(…, "w")`` would give a new file (0666 less the umask)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


class AtomicFile:
    """A temporary file beside ``path`` that takes its place on ``commit`` (with the permissions of
    the file it replaces, or of a new file), or disappears on ``abort``. Raises OSError."""

    def __init__(self, path: Path | str, binary: bool = False, new_mode: int | None = None) -> None:
        self.target = os.path.realpath(path)  # through a symbolic link: replace what it points at
        try:
            self.mode = stat.S_IMODE(os.stat(self.target).st_mode)
        except FileNotFoundError:
            self.mode = _new_file_mode() if new_mode is None else new_mode
        name = os.path.basename(self.target)
        fd, self.name = tempfile.mkstemp(dir=os.path.dirname(self.target), prefix=f".{name}.", suffix=".tmp")
        if binary:
            self.stream: IO[Any] = os.fdopen(fd, "wb")
        else:
            self.stream = os.fdopen(fd, "w", encoding="utf-8", newline="\n")

    def commit(self) -> None:
        self.stream.flush()
        os.fsync(self.stream.fileno())
        self.stream.close()
        os.chmod(self.name, self.mode)
        os.replace(self.name, self.target)

    def abort(self) -> None:
        with suppress(OSError):
            self.stream.close()
        with suppress(OSError):
            os.unlink(self.name)


@contextmanager
def atomic_writer(
    path: Path | str, binary: bool = False, what: str = "outputs.cannot_write", new_mode: int | None = None
) -> Iterator[IO[Any]]:
    """A file to write ``path``'s new content into; it replaces ``path`` when the block ends
    without an error (else the old file stays as it was and the temporary file goes). ``new_mode``:
    the permissions if ``path`` is new (else those a plain ``open`` would give)."""
    try:
        pending = AtomicFile(path, binary, new_mode)
    except OSError as exc:
        raise _cannot_write(path, exc, what) from exc
    try:
        yield pending.stream
        pending.commit()
    except OSError as exc:
        pending.abort()
        raise _cannot_write(path, exc, what) from exc
    except BaseException:
        pending.abort()
        raise


def write_text(path: Path | str, text: str, what: str = "outputs.cannot_write") -> None:
    """Replace ``path`` with ``text`` (UTF-8), atomically."""
    with atomic_writer(path, what=what) as out:
        out.write(text)


def _cannot_write(path: Path | str, exc: OSError, what: str = "outputs.cannot_write") -> DrillError:
    return DrillError(t(what, file=str(path), reason=exc.strerror or str(exc)))
