"""Output sets: everything one command writes arrives complete, or not at all.

A command that writes files (`corredor run --out DIR`, `compare`, `report`, `calibrate`,
`ensemble`, `sensitivity`; `routes --csv FILE`) opens an `OutputSet` on its target
*before* computing anything. Opening it

- checks the target: a directory is not a file and can be created and written to, no
  file the command will write would replace a file Corredor did not write (unless
  `force`), and the disk has room for the expected size;
- takes a lock beside the target (`.NAME.corredor-lock`), so a second command writing
  to the same place is refused at once, naming the process that holds it (the lock is
  the operating system's, released even when a process is killed);
- removes temporary folders a killed command left for this target, and says so.

Files are written into a staging folder beside the target (`.NAME.corredor-tmp-*`). On
success the set is moved into place: a new target is the staging folder renamed (one
atomic step); into an existing folder the files are moved one by one between a marker
`corredor-INCOMPLETE.txt` written first and removed last, so a kill in between leaves the
folder marked as mixed, never looking complete. A manifest, `corredor-manifest.json`
(command, version, seed, files, start and completion times), is written last: files a
previous manifest lists are Corredor's and are replaced (or removed, if the new set does
not have them) with a note; any other file in the folder is never touched. On an error
the staging folder is removed and the target is as it was; a full disk or a read-only
place becomes one message naming the file.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from corredor.errors import CorredorError
from corredor.limits import human

MANIFEST = "corredor-manifest.json"
LOCK = ".corredor-lock"
TMP = ".corredor-tmp-"
INCOMPLETE = "corredor-INCOMPLETE.txt"
# errno values that mean "this place cannot take the files", not a bug
WRITE_ERRORS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file too large for this file system or limit",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOTDIR: "a part of the path is a file, not a directory",
    errno.EISDIR: "is a directory",
    errno.ENAMETOOLONG: "file name too long",
}


def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def write_error(
    exc: OSError, *, target: Path | None = None, field: str | None = "--out", fix: str | None = None
) -> CorredorError:
    """A CorredorError for an OSError met while writing: what failed, where, and the fix."""
    what = WRITE_ERRORS.get(exc.errno or 0, exc.strerror or str(exc))
    where = exc.filename or target
    if fix is None:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            fix = (
                "free some space or choose another --out; or write less "
                "(--resolution year, fewer replicates)"
            )
        else:
            fix = "choose a place you can write to with --out"
    return CorredorError(f"cannot write there ({what})", file=where, field=field, fix=fix)


def nearest_existing(path: Path) -> Path:
    """The path itself, or its closest ancestor that exists."""
    path = Path(os.path.abspath(path))
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def probe_writable(directory: Path, *, field: str | None = "--out", target: Path) -> None:
    """Create and remove a small file in `directory`: the only sure test that this
    process can write there (permissions, read-only mounts, ACLs, quotas)."""
    try:
        fd, name = tempfile.mkstemp(prefix=".corredor-probe-", dir=directory)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise write_error(exc, target=target, field=field) from None


def check_free_space(place: Path, needed: int, *, field: str | None, fix: str) -> None:
    """Refuse when the file system holding `place` has less room than `needed` bytes
    (plus a margin), with the numbers."""
    if needed <= 0:
        return
    try:
        free = shutil.disk_usage(nearest_existing(place)).free
    except OSError:
        return
    wanted = int(needed * 1.1) + 10 * 2**20
    if wanted > free:
        raise CorredorError(
            f"the output needs about {human(needed)}; only {human(free)} is free on the disk "
            f"holding {place}",
            field=field,
            fix=fix,
        )


class OutputLock:
    """An exclusive lock on an output target, held while a command writes it.

    The lock is a file beside the target locked with `fcntl.flock`, which the system
    releases when the process ends however it ends; where flock does not exist, a file
    created exclusively that names its process, taken over when that process is gone."""

    def __init__(
        self,
        target: str | Path,
        *,
        command: str,
        field: str | None = "--out",
        inside: bool = False,
    ) -> None:
        self.target = Path(target)
        where = Path(os.path.abspath(target))  # `--out .` has a name and a parent too
        # inside an existing folder, or beside the target (which may not exist yet)
        self.path = where / LOCK if inside else where.parent / f".{where.name}{LOCK}"
        self.command = command
        self.field = field
        self._fd: int | None = None
        self._created: list[Path] = []

    def _make_parents(self) -> None:
        """Create the folders above the target the lock file needs; `release` removes
        them again if they are still empty."""
        missing = []
        parent = Path(os.path.abspath(self.path.parent))
        while not parent.exists():
            missing.append(parent)
            parent = parent.parent
        if not parent.is_dir():
            raise CorredorError(
                f"{parent} is a file, so {self.target} cannot be created inside it",
                field=self.field,
                fix="choose a directory path",
            )
        for p in reversed(missing):
            try:
                p.mkdir()
            except FileExistsError:
                continue
            except OSError as exc:
                self._remove_created()
                raise write_error(exc, target=self.target, field=self.field) from None
            self._created.append(p)

    def _remove_created(self) -> None:
        for p in reversed(self._created):
            with contextlib.suppress(OSError):
                p.rmdir()
        self._created = []

    def acquire(self) -> None:
        self._make_parents()
        try:
            self._acquire()
        except BaseException:
            self._remove_created()
            raise

    def _acquire(self) -> None:
        info = json.dumps({"pid": os.getpid(), "command": self.command, "since": _now()})
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on POSIX
            self._acquire_exclusive(info)
            return
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise write_error(exc, target=self.target, field=self.field) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = _read_json_fd(fd)
                os.close(fd)
                raise self._busy(holder) from None
            # the holder may have removed the file between our open and our lock: then
            # we locked a file nobody else will see; start again on the current one
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, info.encode())
        self._fd = fd

    def _acquire_exclusive(self, info: str) -> None:  # pragma: no cover - not on POSIX
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                holder = _read_json_path(self.path)
                if holder and _alive(holder.get("pid")):
                    raise self._busy(holder) from None
                with contextlib.suppress(OSError):
                    self.path.unlink()
                continue
            os.write(fd, info.encode())
            self._fd = fd
            return
        raise self._busy(None)

    def _busy(self, holder: dict | None) -> CorredorError:
        who = "another corredor process"
        if holder:
            who += (
                f" (pid {holder.get('pid')}, `{holder.get('command')}`, since "
                f"{holder.get('since')})"
            )
        return CorredorError(
            f"{who} is writing to {self.target}",
            field=self.field,
            fix="wait for it to finish, or choose another --out",
        )

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
        with contextlib.suppress(OSError):
            os.close(self._fd)
        self._fd = None
        if not self.target.exists():
            self._remove_created()

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_json_fd(fd: int) -> dict | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return json.loads(os.read(fd, 4096).decode() or "null")
    except (OSError, ValueError):
        return None


def _read_json_path(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None


def _alive(pid: Any) -> bool:  # pragma: no cover - used where flock is missing
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def read_manifest(directory: Path) -> dict | None:
    """The manifest of a Corredor output folder, or None."""
    data = _read_json_path(Path(directory) / MANIFEST)
    if data and data.get("tool") == "corredor" and isinstance(data.get("files"), list):
        return data
    return None


def _previous_files(directory: Path) -> tuple[set[str], dict | None, bool]:
    """Names Corredor wrote in `directory` (its manifest and an interrupted write's
    marker), the manifest, and whether a write was interrupted there."""
    names: set[str] = set()
    manifest = read_manifest(directory)
    if manifest:
        names |= {str(n) for n in manifest["files"]}
    marker = _read_json_path(directory / INCOMPLETE) if (directory / INCOMPLETE).exists() else None
    interrupted = (directory / INCOMPLETE).exists()
    if marker:
        names |= {str(n) for n in marker.get("files", [])}
    return names, manifest, interrupted


class OutputSet:
    """The files one command writes into the folder `out`, as a set (see the module).

    `names` are the top-level files and folders the command will write (checked for
    clashes before computing); `need_bytes` their expected size. Write into `staging`
    inside the `with` block; on leaving it the set is moved into place and `written`
    lists the final paths. `say` receives notes (replaced or stale output)."""

    def __init__(
        self,
        out: str | Path,
        *,
        command: str,
        names: Iterable[str] = (),
        force: bool = False,
        field: str | None = "--out",
        need_bytes: int = 0,
        space_fix: str = "free some space, or choose another --out",
        say: Callable[[str], None] | None = None,
        info: dict[str, Any] | None = None,
    ) -> None:
        self.out = Path(out)
        self.command = command
        self.names = list(names)
        self.force = force
        self.field = field
        self.need_bytes = need_bytes
        self.space_fix = space_fix
        self.say = say or (lambda _msg: None)
        self.info = dict(info or {})
        self.written: list[Path] = []
        self.notes: list[str] = []
        self._abs = Path(os.path.abspath(out))
        self._lock = OutputLock(self.out, command=command, field=field)
        self._staging: Path | None = None
        self._created: list[Path] = []
        self._started = _now()

    # -- before computing ------------------------------------------------------------
    def __enter__(self) -> OutputSet:
        self._check_shape()
        self._make_parent()
        # Into an existing folder, lock and staging live inside it (its parent may be
        # read-only, as for `--out .` in a home folder); a new one is staged beside.
        self._inside = self._abs.is_dir()
        self._lock = OutputLock(
            self.out, command=self.command, field=self.field, inside=self._inside
        )
        try:
            self._lock.acquire()
            try:
                self._check_contents()
                self._clean_stale()
            except BaseException:
                self._lock.release()
                raise
        except BaseException:
            self._remove_created()
            raise
        return self

    def _check_shape(self) -> None:
        out = self.out
        if out.exists() and not out.is_dir():
            raise CorredorError(
                f"{out} exists and is a file, not a directory",
                field=self.field,
                fix="choose a directory path (a folder) for --out",
            )
        base = nearest_existing(out.parent)
        if not base.is_dir():
            raise CorredorError(
                f"{base} is a file, so {out} cannot be created inside it",
                field=self.field,
                fix="choose a directory path for --out",
            )

    def _make_parent(self) -> None:
        missing = []
        parent = self._abs.parent
        if self._abs.is_dir():
            return
        while not parent.exists():
            missing.append(parent)
            parent = parent.parent
        probe_writable(parent, field=self.field, target=self.out)
        for p in reversed(missing):
            try:
                p.mkdir()
            except FileExistsError:
                continue
            except OSError as exc:
                self._remove_created()
                raise write_error(exc, target=self.out, field=self.field) from None
            self._created.append(p)

    def _check_contents(self) -> None:
        out = self.out
        if out.is_dir():
            probe_writable(out, field=self.field, target=out)
            ours, manifest, interrupted = _previous_files(out)
            clashes = [n for n in self.names if (out / n).exists() and n not in ours]
            if clashes and not self.force:
                raise CorredorError(
                    f"{out / clashes[0]} exists and was not written by corredor"
                    + (f" (no {MANIFEST} lists it)" if manifest is None else "")
                    + ": it would be replaced",
                    field=self.field,
                    fix="choose another --out, move the file away, or add --force to replace it",
                )
            if interrupted:
                self._note(
                    f"a previous write into {out} was interrupted ({INCOMPLETE}); its files "
                    "are replaced now"
                )
        check_free_space(out, self.need_bytes, field=self.field, fix=self.space_fix)

    def _clean_stale(self) -> None:
        # We hold the lock: any staging folder of this target belongs to a dead process.
        base, name = self._abs.parent, self._abs.name
        patterns = [(base, f".{name}{TMP}*"), (base, f"..{name}{TMP}*")]
        if self._inside:
            # a writer that stages its own files beside the staging folder (the report)
            patterns += [(self._abs, f"{TMP}*"), (self._abs, f".{TMP}*")]
        stale_dirs = []
        for folder, pattern in patterns:
            with contextlib.suppress(OSError):
                stale_dirs += list(folder.glob(pattern))
        for stale in sorted(stale_dirs):
            shutil.rmtree(stale, ignore_errors=True)
            self._note(
                f"removed {stale.name}, an unfinished temporary folder left beside "
                f"{self.out} by an interrupted command"
            )

    def _note(self, text: str) -> None:
        self.notes.append(text)
        self.say(text)

    # -- while computing ---------------------------------------------------------------
    @property
    def staging(self) -> Path:
        """The folder to write the set into (created on first use)."""
        if self._staging is None:
            try:
                if self._inside:
                    folder, prefix = self._abs, TMP
                else:
                    folder, prefix = self._abs.parent, f".{self._abs.name}{TMP}"
                self._staging = Path(tempfile.mkdtemp(prefix=prefix, dir=folder))
                self._staging.chmod(0o777 & ~_umask())
            except OSError as exc:
                raise write_error(exc, target=self.out, field=self.field) from None
        return self._staging

    # -- after -------------------------------------------------------------------------
    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                try:
                    self._commit()
                except OSError as err:
                    self._discard()
                    raise write_error(
                        err, target=self.out, field=self.field, fix=self._fix_for(err)
                    ) from None
            else:
                self._discard()
                if isinstance(exc, OSError) and _is_write_error(exc, self):
                    raise write_error(
                        exc, target=self.out, field=self.field, fix=self._fix_for(exc)
                    ) from None
        finally:
            self._lock.release()

    def _fix_for(self, exc: OSError) -> str | None:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            return f"{self.space_fix}; nothing was written to {self.out}"
        return None

    def _discard(self) -> None:
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None
        if not self.out.exists():
            self._remove_created()

    def _remove_created(self) -> None:
        for p in reversed(self._created):
            with contextlib.suppress(OSError):
                p.rmdir()
        self._created = []

    def _manifest(self, files: list[str]) -> dict[str, Any]:
        from corredor.version import CODE_DIGEST, __version__

        return {
            "tool": "corredor",
            "command": self.command,
            "version": __version__,
            "code_digest": CODE_DIGEST,
            **self.info,
            "files": files,
            "started": self._started,
            "completed": _now(),
        }

    def _commit(self) -> None:
        staging = self.staging
        order = {n: i for i, n in enumerate(self.names)}  # the command's order, then others
        files = sorted((p.name for p in staging.iterdir()), key=lambda n: (order.get(n, 1e9), n))
        out = self.out
        if not out.exists():
            _write_json(staging / MANIFEST, self._manifest(files))
            staging.rename(out)
            self._staging = None
            self.written = [out / f for f in files]
            return
        ours, manifest, _ = _previous_files(out)
        (out / INCOMPLETE).write_text(
            json.dumps(
                {
                    "what": "corredor was writing a new set of files here and was stopped "
                    "before it finished: the files listed may mix two runs; run the "
                    "command again",
                    "command": self.command,
                    "pid": os.getpid(),
                    "since": _now(),
                    "files": sorted(set(files) | ours),
                },
                indent=1,
            ),
            encoding="utf-8",
        )
        with contextlib.suppress(FileNotFoundError):
            (out / MANIFEST).unlink()
        for name in files:
            target = out / name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            os.replace(staging / name, target)
        removed = []
        for name in sorted(ours - set(files) - {MANIFEST, INCOMPLETE}):
            old = out / name
            if old.is_dir() and not old.is_symlink():
                shutil.rmtree(old, ignore_errors=True)
                removed.append(name)
            elif old.exists() or old.is_symlink():
                with contextlib.suppress(OSError):
                    old.unlink()
                removed.append(name)
        _write_json(out / MANIFEST, self._manifest(files))
        (out / INCOMPLETE).unlink()
        shutil.rmtree(staging, ignore_errors=True)
        self._staging = None
        self.written = [out / f for f in files]
        if manifest is not None:
            self._note(
                f"replaced the previous output in {out} (`{manifest.get('command')}`, "
                f"{manifest.get('completed')})"
                + (f"; removed its {', '.join(removed)}" if removed else "")
            )


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _is_write_error(exc: OSError, outset: OutputSet) -> bool:
    """Whether an OSError met inside the block is about writing the output (a full disk,
    a read-only place), not something else the command did."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS):
        return True
    name = str(exc.filename or "")
    places = [str(outset.out.parent.resolve()), str(os.path.abspath(outset.out.parent))]
    return bool(name) and any(os.path.abspath(name).startswith(p) for p in places)


class OutputFile:
    """One file written as a whole or not at all (`routes --csv FILE`): checked and
    locked before computing, written beside the target and renamed over it.

    An existing file is replaced only if `ours(path)` says Corredor wrote it (or with
    `force`)."""

    def __init__(
        self,
        path: str | Path,
        *,
        command: str,
        field: str | None,
        force: bool = False,
        ours: Callable[[Path], bool] | None = None,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.field = field
        self.force = force
        self.ours = ours or (lambda _p: False)
        self.say = say or (lambda _msg: None)
        self._lock = OutputLock(self.path, command=command, field=field)
        self.tmp: Path | None = None

    def __enter__(self) -> OutputFile:
        path = self.path
        if path.is_dir():
            raise CorredorError(
                f"{path} is a directory", field=self.field, fix="give a file name, e.g. routes.csv"
            )
        parent = path.parent if str(path.parent) else Path(".")
        if not parent.is_dir():
            raise CorredorError(
                f"directory {parent} does not exist", field=self.field, fix="create it first"
            )
        probe_writable(parent, field=self.field, target=path)
        if path.exists() and not self.force and not self.ours(path):
            raise CorredorError(
                f"{path} exists and does not look like a file corredor wrote: it would be replaced",
                field=self.field,
                fix="choose another file name, move it away, or add --force",
            )
        self._lock.acquire()
        try:
            for stale in parent.glob(f".{path.name}.corredor-tmp-*"):
                with contextlib.suppress(OSError):
                    stale.unlink()
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.corredor-tmp-", dir=parent)
            os.close(fd)
        except OSError as exc:
            self._lock.release()
            raise write_error(exc, target=path, field=self.field) from None
        self.tmp = Path(name)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                try:
                    existed = self.path.exists()
                    os.replace(self.tmp, self.path)
                    if existed:
                        self.say(f"replaced {self.path}")
                except OSError as err:
                    raise write_error(err, target=self.path, field=self.field) from None
            elif isinstance(exc, OSError) and exc.errno in WRITE_ERRORS:
                raise write_error(exc, target=self.path, field=self.field) from None
        finally:
            if self.tmp is not None and self.tmp.exists():
                with contextlib.suppress(OSError):
                    self.tmp.unlink()
            self._lock.release()


def command_line() -> str:
    """The command as typed: `corredor run baseline -r 16`."""
    import shlex

    return "corredor " + shlex.join(sys.argv[1:])
