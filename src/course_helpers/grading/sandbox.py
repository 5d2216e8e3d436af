"""Run every autograded kernel inside a bubblewrap sandbox.

nbgrader runs each member's notebook on the facilitator's machine, with the facilitator's permissions, in the
course directory; its own documentation says it does not protect against unsafe code. A submission could read
the answer keys in ``source/``, the gradebook, other members' work, or its own autograded notebook (which holds
the hidden tests), reach the network, or exhaust the machine. This module starts each kernel with bubblewrap
(``bwrap``, unprivileged Linux namespaces) so that, inside:

* the file system holds only the operating system's ``/usr``, the Python installation and virtual environment,
  the helper package, the course's public ``data/``, and an empty, size-capped scratch directory (the kernel's
  working directory, home and only writable place) with the submission's non-notebook files read-only in it;
* there is no network (a new network namespace holds only its own loopback);
* the kernel runs as an unprivileged user in its own user namespace (no nested ones), with caps on memory
  (address space), processes and threads, CPU time, file size and open files; the facilitator's side caps the
  output it keeps per cell, and the kernel's stdout/stderr never reach the grader's own.

nbgrader still talks to the kernel: the kernel uses ZeroMQ's IPC transport, with its connection file and
sockets on a 1 MiB tmpfs inside the sandbox (``/run/kernel``), which the grader reaches from outside through
``/proc/<sandbox pid>/root``; no folder of the host is writable from inside. Timeouts interrupt the kernel
with a message, not SIGINT to the process group (which would kill bwrap and the whole submission).

Use it through :func:`configure` (the course's autograde command does this); :func:`available` says whether
this machine can sandbox, and why not when it cannot.
"""

from __future__ import annotations

import functools
import getpass
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.manager import AsyncKernelManager
from nbgrader.preprocessors import Execute
from traitlets import Integer, List, Unicode
from traitlets.config import Config

# Where things are inside the sandbox.
SCRATCH = "/scratch"
RUN = "/run/kernel"  # the kernel's connection file and IPC sockets, on a tiny tmpfs of their own
# The unprivileged user the kernel runs as when the facilitator grades as root ("nobody" on Debian and Fedora).
NOBODY = 65534
MIN_BWRAP = (0, 8, 0)  # --size (a capped scratch) and --disable-userns

INSTALL_HINT = (
    "Install bubblewrap: 'sudo apt install bubblewrap' (Debian, Ubuntu) or 'sudo dnf install bubblewrap' "
    "(Fedora). See the facilitator's guide, 'Grading safely: the sandbox'."
)

# Sets resource limits, then becomes the kernel. Runs inside the sandbox with `python -I -S -c`, so it needs
# nothing but the standard library. argv: NAME VALUE ... -- KERNEL-COMMAND...
_LIMIT_AND_EXEC = (
    "import os,resource,sys\n"
    "a=sys.argv[1:];i=a.index('--')\n"
    "for n,v in zip(a[:i:2],a[1:i:2]):resource.setrlimit(getattr(resource,n),(int(v),int(v)))\n"
    "os.execv(a[i+1],a[i+1:])\n"
)

# Environment the kernel gets (nothing of the facilitator's: it may hold tokens or paths).
_PASS_ENV = ("LANG", "LC_ALL", "LC_CTYPE", "TZ")
_THREAD_CAPS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_MAX_THREADS")

# The few files of /etc a Python kernel reads (no passwd, no hostnames, no credentials).
_ETC = (
    "/etc/localtime",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/alternatives",
    "/etc/mime.types",
    "/etc/fonts",
    "/etc/nsswitch.conf",
)


# --------------------------------------------------------------------------------------------------- detection


def _bwrap_version(bwrap: str) -> tuple[int, ...] | None:
    try:
        out = subprocess.run([bwrap, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", out)
    return tuple(int(g or 0) for g in match.groups()) if match else None


@functools.cache
def available() -> tuple[bool, str]:
    """Whether kernels can be sandboxed here, and a plain sentence saying why not when they cannot.

    It runs a throwaway sandbox (the same namespaces and user switch the grading uses), so a kernel or
    AppArmor policy that forbids unprivileged namespaces is caught here, not halfway through a batch.
    """
    if not sys.platform.startswith("linux"):
        name = {"darwin": "macOS", "win32": "Windows"}.get(sys.platform, sys.platform)
        return False, f"the grading sandbox needs Linux (bubblewrap); this machine runs {name}."
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False, "bubblewrap (the 'bwrap' command) is not installed. " + INSTALL_HINT
    version = _bwrap_version(bwrap)
    if version is None or version < MIN_BWRAP:
        shown = ".".join(map(str, version)) if version else "unknown"
        return False, (
            f"bubblewrap {shown} is too old: the sandbox needs 0.8 or newer "
            "(for a size-capped scratch directory). " + INSTALL_HINT
        )
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            return False, "grading as root needs 'setpriv' (util-linux) to drop to an unprivileged user."
    python = str(Path(sys.executable))
    probe = _sandbox_argv(
        [python, "-I", "-S", "-c", "print('sandbox-ok')"],
        connection_file=None,
        cwd=None,
        limits=_limits_argv(memory=1 << 30, processes=64, cpu=10, file_size=1 << 20, open_files=64),
        scratch_bytes=1 << 20,
    )
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as err:
        return False, f"bubblewrap is installed but could not start a sandbox: {err}"
    if done.returncode != 0 or "sandbox-ok" not in done.stdout:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return False, (
            f"bubblewrap is installed but could not start a sandbox ({reason}). Unprivileged user "
            "namespaces may be switched off; see the facilitator's guide."
        )
    return True, f"bubblewrap {'.'.join(map(str, version))}"


# ------------------------------------------------------------------------------------------- the bwrap command


def _protected(cwd: Path | None) -> list[Path]:
    """Paths that must not be bound whole: the facilitator's home and the course's nbgrader directory."""
    out = [Path.home().resolve()]
    if cwd is not None:
        out.append(cwd)
        # nbgrader's layout: <course>/autograded/<student>/<assignment>
        if len(cwd.parents) > 3 and cwd.parents[1].name == "autograded":
            out.append(cwd.parents[2])
    return [p for p in out if p != Path("/")]


def _allowed(path: Path, protected: list[Path]) -> bool:
    """A path may be bound unless it holds, or is inside, a protected folder (home itself is never bound
    whole, but a Python installed under it, such as ~/.pyenv/versions/3.11, may be)."""
    home = protected[0]
    for guard in protected:
        if path == guard or guard.is_relative_to(path):
            return False
        if guard != home and path.is_relative_to(guard):
            return False
    return True


@functools.cache
def _interpreter_path() -> tuple[str, ...]:
    """sys.path as a fresh interpreter sees it (site-packages and editable installs), without the grader's
    working directory or PYTHONPATH, which may be the course folder itself."""
    out = subprocess.run(
        [sys.executable, "-I", "-c", "import sys; print('\\n'.join(sys.path))"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    return tuple(line for line in out.splitlines() if line)


def _read_only_paths(cwd: Path | None, extra: list[str]) -> list[Path]:
    """What the kernel may read: Python, the virtual environment, everything on sys.path, course data."""
    candidates = [sys.base_prefix, sys.prefix, os.path.dirname(sys.executable), *_interpreter_path(), *extra]
    try:
        from course_helpers import data as course_data

        candidates.append(str(course_data.data_dir()))
    except Exception:  # noqa: BLE001 - the data folder is optional for grading; skip it if it cannot be found
        pass
    protected = _protected(cwd)
    found: list[Path] = []
    for raw in candidates:
        if not raw or not os.path.isabs(raw) or not os.path.exists(raw):
            continue
        for path in {Path(raw), Path(os.path.realpath(raw))}:
            if path.is_relative_to("/usr") or path.is_relative_to("/proc") or path.is_relative_to("/dev"):
                continue
            if _allowed(path, protected):
                found.append(path)
    # Keep outermost paths only: a path inside another bound one needs no mount of its own.
    found = sorted(set(found), key=lambda p: (len(p.parts), str(p)))
    kept: list[Path] = []
    for path in found:
        if not any(path.is_relative_to(k) for k in kept):
            kept.append(path)
    return kept


def _hidden_paths() -> list[str]:
    """Folders under a bound path that the kernel must not read: ``course_helpers/grading`` (answer keys,
    specs), wherever the package is installed."""
    import importlib.util

    spec = importlib.util.find_spec("course_helpers")
    found = []
    for location in (spec.submodule_search_locations or []) if spec else []:
        grading = Path(location).resolve() / "grading"
        if grading.is_dir():
            found.append(str(grading))
    return found


def _submission_files(cwd: Path) -> list[tuple[Path, str]]:
    """The submission's own non-notebook files (data a member added), as (host path, path in scratch).

    Notebooks are left out (the autograded notebook holds the hidden tests), and so are symbolic links (a
    link could point at the answer keys).
    """
    files: list[tuple[Path, str]] = []
    for folder, dirs, names in os.walk(cwd, followlinks=False):
        dirs[:] = [
            d for d in dirs if d != ".ipynb_checkpoints" and not os.path.islink(os.path.join(folder, d))
        ]
        for name in names:
            path = Path(folder) / name
            if name.endswith(".ipynb") or path.is_symlink() or not path.is_file():
                continue
            files.append((path, f"{SCRATCH}/{path.relative_to(cwd).as_posix()}"))
            if len(files) >= 200:
                return files
    return files


def _limits_argv(*, memory: int, processes: int, cpu: int, file_size: int, open_files: int) -> list[str]:
    return [
        "RLIMIT_AS",
        str(memory),
        "RLIMIT_NPROC",
        str(processes),
        "RLIMIT_CPU",
        str(cpu),
        "RLIMIT_FSIZE",
        str(file_size),
        "RLIMIT_NOFILE",
        str(open_files),
        "RLIMIT_CORE",
        "0",
    ]


def _dirs_for(targets: list[str], bound: list[str]) -> list[str]:
    """bwrap arguments creating each missing parent of the mount points, world-traversable.

    bwrap would otherwise make them with the host folder's mode (``/root`` is 0700), and an unprivileged
    kernel could not reach a Python installed under it.
    """
    args: list[str] = []
    made: set[str] = set()
    for target in targets:
        for parent in reversed(Path(target).parents):
            p = str(parent)
            if p == "/" or p in made or any(Path(p).is_relative_to(b) for b in bound):
                continue
            made.add(p)
            args += ["--perms", "0755", "--dir", p]
    return args


def _sandbox_argv(
    kernel_cmd: list[str],
    *,
    connection_file: Path | None,
    cwd: Path | None,
    limits: list[str],
    scratch_bytes: int,
    extra_read_only: list[str] | None = None,
) -> list[str]:
    """The full command: bwrap, the user switch, the limits, then the kernel."""
    argv = [
        "bwrap",
        "--die-with-parent",
        "--new-session",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--hostname",
        "sandbox",
        "--unshare-cgroup-try",
        "--clearenv",
    ]
    root = os.geteuid() == 0
    if not root:
        # An ordinary user: bwrap makes a user namespace (needed for unprivileged mounts); this also gives the
        # process limit its own count, so one submission's fork bomb does not starve the others.
        argv += ["--unshare-user", "--disable-userns"]
    argv += ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = Path("/") / name
        if host.is_symlink():
            argv += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            argv += ["--ro-bind", str(host), str(host)]
    for etc in _ETC:
        argv += ["--ro-bind-try", etc, etc]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    read_only = [str(p) for p in _read_only_paths(cwd, extra_read_only or [])]
    # /tmp: an empty read-only folder, which the inner bwrap (when grading as root) needs to exist.
    argv += _dirs_for([*read_only, RUN, "/tmp/-"], ["/usr", "/proc", "/dev"])  # makes parents only
    for path in read_only:
        argv += ["--ro-bind", path, path]
    # The grading package holds the answer keys and specs: inside, it is an empty read-only folder.
    for path in _hidden_paths():
        argv += ["--size", "4096", "--tmpfs", path, "--remount-ro", path]
    # Nothing of the host is writable. The kernel's sockets go on a 1 MiB tmpfs that nbgrader reaches from
    # outside through /proc/<pid>/root; the scratch directory is a size-capped tmpfs.
    argv += ["--size", str(1024 * 1024), "--perms", "1777", "--tmpfs", RUN]
    if connection_file is not None:
        argv += ["--ro-bind", str(connection_file), f"{RUN}/kernel.json"]
    argv += ["--size", str(scratch_bytes), "--perms", "1777", "--tmpfs", SCRATCH]
    if cwd is not None:
        for host, inside in _submission_files(cwd):
            argv += ["--ro-bind", str(host), inside]
    argv += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", SCRATCH]
    env = {k: os.environ[k] for k in _PASS_ENV if k in os.environ}
    env.setdefault("LANG", "C.UTF-8")
    env.update(
        {
            "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "HOME": SCRATCH,
            "TMPDIR": SCRATCH,
            "USER": "member",
            "LOGNAME": "member",
            "PYTHONNOUSERSITE": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": f"{SCRATCH}/.matplotlib",
            "IPYTHONDIR": f"{SCRATCH}/.ipython",
            "MALLOC_ARENA_MAX": "2",
            "JPY_PARENT_PID": "1",  # pid 1 is bwrap's init; ipykernel then stays quiet "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            **{k: "1" for k in _THREAD_CAPS},
        }
    )
    try:
        from course_helpers import data as course_data

        env["COURSE_DATA_DIR"] = str(course_data.data_dir().resolve())
    except Exception:  # noqa: BLE001 - as above
        pass
    for key, value in sorted(env.items()):
        argv += ["--setenv", key, value]
    argv.append("--")
    if root:
        # As root, rlimits do not bind (RLIMIT_NPROC is ignored for root): drop to nobody for good, then a
        # second, unprivileged bwrap over the same file system gives the kernel a user namespace of its own
        # (so the process count is per submission, not shared by every kernel running as nobody) and forbids
        # nested user namespaces (in which a submission could mount a tmpfs of any size).
        argv += [
            "setpriv",
            f"--reuid={NOBODY}",
            f"--regid={NOBODY}",
            "--clear-groups",
            "--inh-caps=-all",
            "--no-new-privs",
            "--",
            "bwrap",
            "--unshare-user",
            "--disable-userns",
            "--die-with-parent",
            "--dev-bind",
            "/",
            "/",
            "--",
        ]
    python = str(Path(sys.executable))
    argv += [python, "-I", "-S", "-c", _LIMIT_AND_EXEC, *limits, "--", *kernel_cmd]
    return argv


# ---------------------------------------------------------------------------------------- output cap (our side)


class CappedIOPubChannel(AsyncZMQSocketChannel):
    """IOPub channel that keeps at most ``budget`` bytes of output per cell, then a one-line notice.

    Runs on the facilitator's side: a submission printing without end would otherwise fill the grader's
    memory and the autograded notebook. The budget is per cell (per request), so a flood in one cell does
    not silence the answers the later test cells report.
    """

    budget = 2 * 1024 * 1024
    notice = "\n[The grading sandbox cut this output: the cell printed more than {} MB.]\n"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.used: dict[str, int] = {}

    def _over(self, request: str, size: int) -> str | None:
        """None while within budget; else the text to keep ('' once the notice was given)."""
        before = self.used.get(request, 0)
        self.used[request] = before + size
        if before + size <= self.budget:
            return None
        return self.notice.format(self.budget // (1024 * 1024)) if before <= self.budget else ""

    async def _recv(self, **kwargs: Any) -> dict[str, Any]:
        msg = await super()._recv(**kwargs)
        kind = msg.get("header", {}).get("msg_type")
        request = msg.get("parent_header", {}).get("msg_id", "")
        content = msg.get("content", {})
        if kind == "stream":
            cut = self._over(request, len(content.get("text", "")))
            if cut is not None:
                content["text"] = cut
        elif kind in ("display_data", "execute_result", "update_display_data", "error"):
            size = sum(len(str(v)) for v in content.get("data", {}).values())
            size += sum(len(str(line)) for line in content.get("traceback", []))
            cut = self._over(request, size)
            if cut is not None:
                if kind == "error":
                    content["traceback"] = [cut]
                    content["evalue"] = str(content.get("evalue", ""))[:200]
                else:
                    content["data"] = {"text/plain": cut}
                    content["metadata"] = {}
        return msg


class SandboxedKernelClient(AsyncKernelClient):
    """Client whose sockets refuse single messages over a size cap, and whose IOPub keeps bounded output."""

    iopub_channel_class = CappedIOPubChannel
    max_message_bytes = 64 * 1024 * 1024

    def _create_connected_socket(self, channel: str, identity: bytes | None = None):
        import zmq
        from jupyter_client.connect import channel_socket_types

        sock = self.context.socket(channel_socket_types[channel])
        sock.linger = 1000
        sock.setsockopt(zmq.MAXMSGSIZE, self.max_message_bytes)
        if identity:
            sock.identity = identity
        if getattr(self, "curve_publickey", None) is not None:
            sock.curve_secretkey = self.curve_secretkey
            sock.curve_publickey = self.curve_publickey
            sock.curve_serverkey = self.curve_publickey
        sock.connect(self._make_url(channel))
        return sock


# ------------------------------------------------------------------------------------------- the kernel manager


class SandboxedKernelManager(AsyncKernelManager):
    """Starts the kernel inside bwrap, talking over IPC sockets in a private directory bound into it."""

    memory_bytes = Integer(2 * 1024**3, config=True, help="Address-space cap per process (RLIMIT_AS).")
    processes = Integer(64, config=True, help="Processes and threads in one sandbox (RLIMIT_NPROC).")
    cpu_seconds = Integer(300, config=True, help="CPU seconds per process (RLIMIT_CPU).")
    file_bytes = Integer(
        16 * 1024**2, config=True, help="Largest file a submission may write (RLIMIT_FSIZE)."
    )
    open_files = Integer(256, config=True, help="Open files per process (RLIMIT_NOFILE).")
    scratch_bytes = Integer(64 * 1024**2, config=True, help="Size of the writable scratch directory (tmpfs).")
    output_bytes = Integer(2 * 1024**2, config=True, help="Output kept per cell; the rest is cut.")
    extra_read_only = List(
        Unicode(), config=True, help="More host paths the kernel may read (same path inside)."
    )

    client_class = "course_helpers.grading.sandbox.SandboxedKernelClient"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._private: Path | None = None
        # TCP loopback inside the sandbox is not the grader's: the kernel listens on IPC sockets instead.
        self.transport = "ipc"

    @property
    def kernel_spec(self):  # type: ignore[override]
        spec = super().kernel_spec
        if spec is not None:
            # SIGINT to the process group would reach bwrap and end the whole sandbox; ask the kernel instead.
            spec.interrupt_mode = "message"
        return spec

    def client(self, **kwargs: Any) -> SandboxedKernelClient:  # type: ignore[override]
        client = super().client(**kwargs)
        client.iopub_channel_class = type(
            "CappedIOPubChannel", (CappedIOPubChannel,), {"budget": self.output_bytes}
        )
        return client

    async def _async_pre_start_kernel(self, **kw: Any):  # type: ignore[override]
        if self._private is None:
            # A private folder per kernel (so parallel graders never share one) for the connection file.
            self._private = Path(tempfile.mkdtemp(prefix="course-sandbox-")).resolve()
            self.connection_file = str(self._private / "kernel.json")
        # The kernel binds its sockets at this path inside the sandbox; we connect through /proc (see below).
        self.ip = f"{RUN}/ipc"
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        cmd = super().format_kernel_cmd(extra_arguments)
        # A Python kernel runs on the grader's own interpreter, which is what the sandbox makes readable.
        if len(cmd) > 2 and cmd[1] == "-m" and cmd[2] in ("ipykernel_launcher", "ipykernel"):
            cmd[0] = sys.executable
        return [f"{RUN}/kernel.json" if arg == self.connection_file else arg for arg in cmd]

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        ok, reason = available()
        if not ok:
            raise RuntimeError(f"Cannot start a sandboxed kernel: {reason}")
        assert self._private is not None
        # The kernel's own copy of the connection file, read-only inside (ip is the path inside the sandbox).
        inside = self._private / "kernel-inside.json"
        shutil.copyfile(self.connection_file, inside)
        inside.chmod(0o644)  # the folder itself is 0700: only the grader and the kernel read it
        cwd = Path(kw.get("cwd") or os.getcwd()).resolve()
        limits = _limits_argv(
            memory=self.memory_bytes,
            processes=self.processes,
            cpu=self.cpu_seconds,
            file_size=self.file_bytes,
            open_files=self.open_files,
        )
        argv = _sandbox_argv(
            kernel_cmd,
            connection_file=inside,
            cwd=cwd,
            limits=limits,
            scratch_bytes=self.scratch_bytes,
            extra_read_only=list(self.extra_read_only),
        )
        kw["cwd"] = str(self._private)
        kw["env"] = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        # The kernel must not write to the grader's own stdout (a parallel grader reads its workers' replies
        # there) or terminal. Its stderr goes to a log, which RLIMIT_FSIZE keeps small.
        kw["stdout"] = subprocess.DEVNULL
        self.log.debug("sandboxed kernel: %s", argv)
        with open(self._private / "kernel.log", "ab") as log:
            kw["stderr"] = log  # the kernel gets its own copy; ours closes once it has started
            await super()._async_launch_kernel(argv, **kw)
        # bwrap's child is the sandbox's pid 1; its root is the sandbox's file system, so the kernel's
        # sockets are at /proc/<child>/root/run/kernel/ipc-N for us.
        child = await _sandbox_pid(self.provisioner.pid)
        self.ip = f"/proc/{child}/root{RUN}/ipc"

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart and self._private is not None:
            log = self._private / "kernel.log"
            if log.is_file() and log.stat().st_size:
                self.log.debug(
                    "sandboxed kernel's messages: %s", log.read_bytes()[-2000:].decode(errors="replace")
                )
            shutil.rmtree(self._private, ignore_errors=True)
            self._private = None


async def _sandbox_pid(bwrap_pid: int, wait: float = 10.0) -> int:
    """The pid of bwrap's child (the sandbox's init), once it exists."""
    import asyncio

    children = Path(f"/proc/{bwrap_pid}/task/{bwrap_pid}/children")
    for _ in range(int(wait / 0.01)):
        try:
            found = children.read_text().split()
        except OSError as err:
            raise RuntimeError(f"the sandbox (bwrap, pid {bwrap_pid}) ended while starting: {err}") from err
        if found:
            return int(found[0])
        await asyncio.sleep(0.01)
    raise RuntimeError("the sandbox did not start its kernel in time")


class SandboxedExecute(Execute):
    """nbgrader's Execute step, with every kernel started by :class:`SandboxedKernelManager`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)


# ------------------------------------------------------------------------------------------------ entry points


def configure(config: Config | None = None) -> Config:
    """Return ``config`` with nbgrader's autograde executing every notebook in the sandbox.

    Raises RuntimeError (with the plain reason) when this machine cannot sandbox.
    """
    ok, reason = available()
    if not ok:
        raise RuntimeError(reason)
    from nbgrader.converters.autograde import Autograde

    config = config if config is not None else Config()
    current = config.Autograde.get("autograde_preprocessors")
    steps = list(current) if current else list(Autograde.class_traits()["autograde_preprocessors"].default())
    steps = [
        SandboxedExecute if step is Execute or step == "nbgrader.preprocessors.Execute" else step
        for step in steps
    ]
    if SandboxedExecute not in steps:
        raise RuntimeError("nbgrader's autograde steps have no Execute step to sandbox.")
    config.Autograde.autograde_preprocessors = steps
    return config


def refusal(reason: str) -> str:
    """The message the autograde command prints when it cannot sandbox and was not told to go without."""
    return (
        f"Refusing to autograde: {reason}\n"
        "Without the sandbox, each member's code runs as you, on your machine, inside the course folder: it can "
        "read the answer keys and hidden tests, the gradebook and other members' work, use the network, and "
        "exhaust the machine. Grade on Linux with bubblewrap installed, or, only if you trust every "
        "submission, run the same command again with --unsandboxed."
    )


def who() -> str:
    """Who the kernel runs as inside the sandbox (for messages)."""
    return "nobody (uid 65534)" if os.geteuid() == 0 else getpass.getuser()


def main() -> int:
    """``python -m course_helpers.grading.sandbox``: say whether this machine can grade in the sandbox."""
    ok, reason = available()
    if ok:
        print(f"The grading sandbox works here ({reason}); member kernels will run as {who()}.")
        return 0
    print(f"No grading sandbox here: {reason}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
