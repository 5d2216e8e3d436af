"""The grading sandbox (issue 7): hostile submissions, graded by the course's own autograde command.

One batch, graded in parallel (two jobs) in a temporary copy of the course, holds two honest members and one
member per attack. Each attacker answers every question right except the assignment's first choice question,
whose answer cell is the attack (in Python, not under %%answer): if the attack works it gives itself the key, so
a full score instead of full minus that question's points means it worked.
Every test asserts the score, that the batch finished, that nothing leaked into the graded notebook (what
feedback is made from), and that nothing outside the kernel's scratch space changed.

A second, small batch runs the harmless read attacks *without* the sandbox, to show they do succeed there
(so these tests can fail), and checks honest scores are the same either way.

In CI (CI=true) bubblewrap must be present and these tests must run; elsewhere they skip when it is not.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import nbformat
import pytest

from course_helpers.grading import sandbox, simulate, spec
from course_helpers.grading.generate import COURSE

pytestmark = pytest.mark.sandbox

SLUG = "party-question"
TARGET = next(i for i in spec.load("party-question").auto_items if i.kind == "choice")  # the attacked item
Q1 = TARGET.answer_id  # its answer cell
VAR = TARGET.variable  # where %%answer stores it: answer_qN
WRONG = next(x for x in TARGET.options if x != TARGET.answer)
KEYS = Path(sandbox.__file__).resolve().parent / "answer_keys.json"
REPO = Path(__file__).resolve().parents[1]
HONEST_TOKEN = "HONEST-MEMBER-TOKEN-5521"  # in the honest member's written answer: a peer must not see it


def _require_sandbox():
    ok, reason = sandbox.available()
    if ok:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the sandbox tests, but the sandbox is not available: {reason}")
    pytest.skip(f"no grading sandbox on this machine: {reason}")


def _env(**extra) -> dict:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("NBGRADER_EXECUTION", None)
    env.pop("COURSE_GRADING_SANDBOX", None)
    env.update(extra)
    return env


# ------------------------------------------------------------------------------------------------ the attacks


def _fallback(body: str) -> str:
    """An answer cell: run the attack; whatever happens, answer the question (wrongly unless it worked)."""
    indented = "\n".join("    " + line for line in body.strip().splitlines())
    return f"{VAR} = {WRONG!r}\ntry:\n{indented}\nexcept BaseException as err:\n    print('attack failed:', repr(err)[:200])\n"


def attacks(course: Path, port: int) -> dict[str, str]:
    rel_root = "../../.."  # from the graded folder, <root>/autograded/<member>/<assignment>, up to <root>
    return {
        "reads-source": _fallback(f"""
import json, re
for path in ["{course}/source/{SLUG}/{SLUG}.ipynb", "{rel_root}/source/{SLUG}/{SLUG}.ipynb"]:
    try:
        cells = json.load(open(path))["cells"]
    except OSError as e:
        print("cannot read", path, e.strerror)
        continue
    for c in cells:
        if c["metadata"].get("nbgrader", {{}}).get("grade_id") == "{Q1}":
            print("STOLEN SOLUTION:", "".join(c["source"]))
            {VAR} = re.search(r"BEGIN SOLUTION\\n(\\w)", "".join(c["source"])).group(1)
"""),
        "reads-keys": _fallback(f"""
import json
keys = json.load(open("{KEYS}"))
print("STOLEN KEYS:", json.dumps(keys)[:300])
{VAR} = keys["{SLUG}"]["{TARGET.grade_id}"]["answer"]
"""),
        "reads-gradebook": _fallback(f"""
for path in ["{course}/gradebook.db", "{rel_root}/gradebook.db"]:
    try:
        data = open(path, "rb").read()
    except OSError as e:
        print("cannot read", path, e.strerror)
        continue
    print("STOLEN GRADEBOOK:", data[:16], b"honest" in data)
"""),
        "reads-peer": _fallback(f"""
import json, re
for path in ["{course}/submitted/honest/{SLUG}/{SLUG}.ipynb", "{course}/autograded/honest/{SLUG}/{SLUG}.ipynb"]:
    try:
        text = open(path).read()
    except OSError as e:
        print("cannot read", path, e.strerror)
        continue
    print("STOLEN PEER:", text[-3000:])
    {VAR} = re.search(r"%%answer {TARGET.number}\\\\n(\\w)", text).group(1)
"""),
        "reads-own-notebook": _fallback(f"""
import glob, tempfile
mine = glob.glob(tempfile.gettempdir() + "/grading-*/autograded/reads-own-notebook/{SLUG}/{SLUG}.ipynb")
for path in ["{SLUG}.ipynb", *mine]:
    try:
        text = open(path).read()
    except OSError as e:
        print("cannot read", path, e.strerror)
        continue
    start = text.find("BEGIN HIDDEN TESTS")
    print("STOLEN HIDDEN TESTS:", text[start - 200:start + 400])
"""),
        "network": _fallback(f"""
import socket
with socket.create_connection(("127.0.0.1", {port}), timeout=3) as s:
    {VAR} = s.recv(16).decode().strip()
    print("GOT FROM THE NETWORK:", {VAR})
"""),
        "fork-bomb": """
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
""",
        "memory-bomb": """
hoard = []
try:
    hoard.append(bytearray(16 * 1024**3))
except MemoryError:
    print("MEMORY CAPPED: no 16 GiB for this cell")
while True:
    hoard.append(bytearray(100_000_000))
""",
        "disk-filler": _fallback("""
import os
chunk = b"x" * 1_000_000
for folder in [".", "/tmp", "/run/kernel", "/dev/shm", os.path.expanduser("~"), "/var/tmp"]:
    written = 0
    try:
        for i in range(100_000):
            with open(os.path.join(folder, f"pwned-fill-{i}"), "wb") as f:
                f.write(chunk)
            written += len(chunk)
    except OSError as e:
        print("FILLED", folder, written // 1_000_000, "MB, then", e.strerror)
try:
    with open("pwned-big", "wb") as f:
        f.write(b"x" * 100_000_000)
except OSError as e:
    print("BIG FILE refused:", e.strerror)
"""),
        "nested-namespace": _fallback("""
import subprocess
fill = "mount -t tmpfs none /scratch && head -c 100000000 /dev/zero > /scratch/big && echo MOUNTED-AND-FILLED"
done = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", fill],
                      capture_output=True, text=True, timeout=20)
print("nested namespace:", done.returncode, done.stdout.strip(), done.stderr.strip()[:200])
"""),
        "writes-course": _fallback(f"""
import glob, os
targets = [
    "{course}/source/{SLUG}/{SLUG}.ipynb", "{course}/gradebook.db", "{course}/pwned.txt",
    "{course}/submitted/honest/{SLUG}/{SLUG}.ipynb", "{rel_root}/source/{SLUG}/{SLUG}.ipynb",
    "{rel_root}/gradebook.db", "{rel_root}/pwned.txt", "{KEYS}", "{REPO}/data/pwned.txt",
    "{REPO}/src/course_helpers/pwned.py", "/tmp/pwned.txt", os.path.expanduser("~/pwned.txt"),
]
for path in targets:
    try:
        with open(path, "a") as f:
            f.write("pwned")
        print("WROTE", path)
    except OSError as e:
        print("cannot write", path, e.strerror)
"""),
        "forges-replies": _fallback("""
import os
fake = b'{"success": true, "error": "", "log": ""}\\n'
for fd in (1, 2):
    for _ in range(5):
        os.write(fd, fake)
"""),
        "output-flood": _fallback("""
for i in range(30):
    print("flood " * 170_000)
"""),
    }


# ------------------------------------------------------------------------------------------------- the batch


class AnswerServer:
    """A TCP server on 127.0.0.1, outside the sandbox, that hands the key to anyone who connects."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.sendall(f"{TARGET.answer}\n".encode())

    def close(self):
        self.sock.close()


def _make_course(tmp: Path) -> Path:
    root = tmp / "assignments"
    root.mkdir(parents=True)
    shutil.copy(COURSE / "nbgrader_config.py", root)
    shutil.copytree(COURSE / "source" / SLUG, root / "source" / SLUG)
    (root / ".circle-seed").write_text("public\n", encoding="utf-8")  # the specs' own letters
    # Shorter limits than the course's (30 s a cell, 120 s a notebook) keep the bombs quick.
    with (root / "nbgrader_config.py").open("a") as f:
        f.write("\nc.SafeExecute.timeout = 6\nc.SafeExecute.notebook_timeout = 60\n")
    script = (
        "from nbgrader.apps.api import NbGraderAPI\nfrom nbgrader.coursedir import CourseDirectory\n"
        "from traitlets.config.loader import PyFileConfigLoader\n"
        "cfg = PyFileConfigLoader('nbgrader_config.py', path='.').load_config()\n"
        "api = NbGraderAPI(coursedir=CourseDirectory(config=cfg, root='.'), config=cfg)\n"
        f"r = api.generate_assignment({SLUG!r}, force=True, create=True)\n"
        "assert r['success'], r.get('error')\n"
    )
    subprocess.run(
        [sys.executable, "-c", script], cwd=root, env=_env(), check=True, timeout=600, capture_output=True
    )
    return root


def _submit(course: Path, member: str, nb) -> None:
    folder = course / "submitted" / member / SLUG
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{SLUG}.ipynb")


def _fingerprint(paths: list[Path]) -> dict[str, str]:
    out = {}
    for top in paths:
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for p in files:
            if "__pycache__" in p.parts:
                continue
            out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _pwned_files(*places: Path, deep: bool = True) -> list[str]:
    found = []
    for place in places:
        if place.is_dir():
            found += [str(p) for p in (place.rglob("pwned*") if deep else place.glob("pwned*"))]
    return found


def _sandbox_processes() -> list[str]:
    """Command lines of processes still running a grading sandbox (bwrap with our kernel tmpfs)."""
    left = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmd and cmd[0].endswith(b"bwrap") and sandbox.RUN.encode() in cmd:
            left.append(proc.name)
    return left


def _autograde_argv(course: Path, *flags: str) -> list[str]:
    """The facilitator's autograde command for this test's assignment."""
    return [
        sys.executable,
        "-m",
        "course_helpers.grading",
        "autograde",
        SLUG,
        "--course",
        str(course),
        "--jobs",
        "2",
        "--force",
        "--timeout",
        "150",
        *flags,
    ]


def _grade(course: Path, *flags: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        _autograde_argv(course, *flags),
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _scores(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s.student.id: float(s.score) for s in gb.assignment_submissions(SLUG)}


def _outputs(course: Path, member: str) -> str:
    nb = nbformat.read(course / "autograded" / member / SLUG / f"{SLUG}.ipynb", as_version=4)
    return json.dumps([c.get("outputs", []) for c in nb.cells if c.cell_type == "code"])


@pytest.fixture(scope="module")
def assignment():
    return {a.slug: a for a in spec.load_all()}[SLUG]


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    course = _make_course(tmp_path_factory.mktemp("release"))
    return nbformat.read(course / "release" / SLUG / f"{SLUG}.ipynb", as_version=4)


def _honest(release, assignment, right=None):
    nb = simulate.submission(release, assignment, right=right)
    written = {i.grade_id: f"My own answer. {HONEST_TOKEN}" for i in assignment.written_items}
    return simulate.fill(nb, {}, written)


@pytest.fixture(scope="module")
def batch(tmp_path_factory, release, assignment):
    """The hostile batch, graded once, sandboxed (the command's default)."""
    _require_sandbox()
    course = _make_course(tmp_path_factory.mktemp("sandboxed"))
    server = AnswerServer()
    half = {i.id for i in assignment.auto_items[::2]}
    _submit(course, "honest", _honest(release, assignment))
    _submit(course, "half", _honest(release, assignment, right=half))
    all_right = simulate.submission(release, assignment)
    for member, code in attacks(course, server.port).items():
        _submit(course, member, simulate.fill(all_right, {Q1: code}))
    watched = [course / "source", course / "submitted", course / "nbgrader_config.py", KEYS, REPO / "data"]
    before = _fingerprint(watched)
    proc = _grade(course)
    server.close()
    yield {
        "course": course,
        "proc": proc,
        "scores": _scores(course),
        "server": server,
        "half": half,
        "changed": sorted(k for k, v in _fingerprint(watched).items() if before.get(k) != v)
        + sorted(set(before) - set(_fingerprint(watched))),
        "pwned": _pwned_files(course, REPO / "data", REPO / "src")
        + _pwned_files(Path("/tmp"), Path("/var/tmp"), Path.home(), deep=False),
        "left": _sandbox_processes(),
    }
    for leftover in _pwned_files(Path("/tmp"), Path("/var/tmp"), Path.home(), deep=False):
        Path(leftover).unlink(missing_ok=True)


def deserved(batch) -> float:
    """What an attacker deserves: every answer right but the attacked question's."""
    return batch["scores"]["honest"] - TARGET.points


def _assert_contained(batch, member: str, *secrets: str):
    out = _outputs(batch["course"], member)
    for secret in secrets:
        assert secret not in out, f"{member}: {secret!r} leaked into the graded notebook"
    assert batch["changed"] == [], f"files changed outside the scratch space: {batch['changed']}"
    assert batch["pwned"] == [], f"files written outside the scratch space: {batch['pwned']}"


# ------------------------------------------------------------------------------------------------------ tests


def test_the_batch_finishes_sandboxed(batch):
    proc = batch["proc"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "kernels sandboxed" in proc.stdout
    assert set(batch["scores"]) == {"honest", "half", *attacks(Path("/x"), 1)}
    assert batch["left"] == [], "sandboxes still running after the batch"


def test_honest_members_score_exactly_as_without_the_sandbox(batch, unsandboxed, assignment):
    assert batch["scores"]["honest"] == unsandboxed["scores"]["honest"]
    assert batch["scores"]["half"] == unsandboxed["scores"]["half"]
    assert 0 < batch["scores"]["half"] < batch["scores"]["honest"] <= simulate.expected_score(assignment)


def test_reading_the_source_notebook_fails(batch, assignment):
    assert batch["scores"]["reads-source"] == deserved(batch)
    _assert_contained(batch, "reads-source", "STOLEN SOLUTION", "BEGIN SOLUTION")


def test_reading_the_answer_keys_fails(batch, assignment):
    assert batch["scores"]["reads-keys"] == deserved(batch)
    _assert_contained(batch, "reads-keys", "STOLEN KEYS")


def test_reading_the_gradebook_fails(batch, assignment):
    assert batch["scores"]["reads-gradebook"] == deserved(batch)
    _assert_contained(batch, "reads-gradebook", "STOLEN GRADEBOOK", "SQLite format")


def test_reading_another_members_submission_fails(batch, assignment):
    assert batch["scores"]["reads-peer"] == deserved(batch)
    _assert_contained(batch, "reads-peer", "STOLEN PEER", HONEST_TOKEN)


def test_reading_its_own_notebook_for_the_hidden_tests_fails(batch, assignment):
    assert batch["scores"]["reads-own-notebook"] == deserved(batch)
    _assert_contained(batch, "reads-own-notebook", "STOLEN HIDDEN TESTS", "HIDDEN TESTS", "grader-report")


def test_the_network_is_unreachable(batch, assignment):
    assert batch["scores"]["network"] == deserved(batch)
    assert batch["server"].connections == 0, "a submission reached a server on the grader's loopback"
    _assert_contained(batch, "network", "GOT FROM THE NETWORK")
    assert "ConnectionRefusedError" in _outputs(batch["course"], "network") or "OSError" in _outputs(
        batch["course"], "network"
    )


def test_a_fork_bomb_is_capped(batch, assignment):
    # It may earn less: a cell that cannot be interrupted in time stops the notebook (the course's rule).
    assert batch["scores"]["fork-bomb"] <= deserved(batch)
    _assert_contained(batch, "fork-bomb")
    assert batch["left"] == []


def test_a_memory_bomb_is_capped(batch, assignment):
    assert batch["scores"]["memory-bomb"] == deserved(batch)
    assert "MEMORY CAPPED" in _outputs(batch["course"], "memory-bomb")
    _assert_contained(batch, "memory-bomb")


def test_a_disk_filling_loop_stays_in_its_scratch(batch, assignment):
    assert batch["scores"]["disk-filler"] == deserved(batch)
    out = _outputs(batch["course"], "disk-filler")
    texts = [o.get("text", "") for cell in json.loads(out) for o in cell]
    filled = {}
    for row in "".join(texts).splitlines():
        if row.startswith("FILLED"):
            parts = row.split()
            filled[parts[1]] = int(parts[2])
    scratch_mb = sandbox.SandboxedKernelManager.scratch_bytes.default_value // 1_000_000
    assert 0 < filled["."] <= scratch_mb, filled  # the scratch filled up, and stopped at its size
    scratch = {".", sandbox.SCRATCH}  # the working folder and home are the one scratch folder
    assert all(mb <= 1 for folder, mb in filled.items() if folder not in scratch), filled  # nothing elsewhere
    assert "BIG FILE refused" in out
    _assert_contained(batch, "disk-filler")


def test_no_namespace_of_its_own_to_escape_the_caps(batch, assignment):
    """A user namespace inside would let it mount a tmpfs of any size (memory the limits do not count)."""
    assert batch["scores"]["nested-namespace"] == deserved(batch)
    out = _outputs(batch["course"], "nested-namespace")
    assert "nested namespace: 1" in out and "MOUNTED-AND-FILLED" not in out
    _assert_contained(batch, "nested-namespace")


def test_writing_into_the_course_fails(batch, assignment):
    assert batch["scores"]["writes-course"] == deserved(batch)
    out = _outputs(batch["course"], "writes-course")
    assert out.count("cannot write") == 11 and out.count("WROTE") == 1
    assert "WROTE /scratch/pwned.txt" in out  # "~" is the scratch directory: the one place it may write
    _assert_contained(batch, "writes-course")


def test_forged_replies_to_the_parallel_grader_go_nowhere(batch, assignment):
    """Writing a fake 'graded' reply to the kernel's stdout must not reach the grader's worker protocol."""
    assert batch["scores"]["forges-replies"] == deserved(batch)
    _assert_contained(batch, "forges-replies")


def test_an_output_flood_is_cut(batch, assignment):
    assert batch["scores"]["output-flood"] == deserved(batch)
    graded = batch["course"] / "autograded" / "output-flood" / SLUG / f"{SLUG}.ipynb"
    assert graded.stat().st_size < 2_000_000


# ------------------------------------------------------------------------------- without the sandbox, they work


@pytest.fixture(scope="module")
def unsandboxed(tmp_path_factory, release, assignment):
    """Honest members and the harmless read attacks, graded with --unsandboxed."""
    course = _make_course(tmp_path_factory.mktemp("unsandboxed"))
    server = AnswerServer()
    _submit(course, "honest", _honest(release, assignment))
    _submit(course, "half", _honest(release, assignment, right={i.id for i in assignment.auto_items[::2]}))
    all_right = simulate.submission(release, assignment)
    harmless = ("reads-source", "reads-keys", "reads-own-notebook", "network")
    for member, code in attacks(course, server.port).items():
        if member in harmless:
            _submit(course, member, simulate.fill(all_right, {Q1: code}))
    proc = _grade(course, "--unsandboxed")
    server.close()
    return {"course": course, "proc": proc, "scores": _scores(course), "server": server}


def test_without_the_sandbox_the_attacks_work_and_honest_scores_match(unsandboxed, batch, assignment):
    proc = unsandboxed["proc"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "NOT sandboxed" in proc.stdout
    scores = unsandboxed["scores"]
    full = scores["honest"]  # an attack that works gives itself question 1's point
    assert scores["reads-source"] == full and scores["reads-keys"] == full and scores["network"] == full
    assert unsandboxed["server"].connections >= 1
    assert "HIDDEN TESTS" in _outputs(unsandboxed["course"], "reads-own-notebook")


# ---------------------------------------------------------------------------------------------------- refusal


def test_without_bubblewrap_the_command_refuses(tmp_path):
    """No bwrap on PATH: the command says so plainly and stops, unless told --unsandboxed."""
    env = _env()
    env["PATH"] = str(Path(sys.executable).parent)  # no /usr/bin: no bwrap
    proc = subprocess.run(
        [sys.executable, "-m", "course_helpers.grading", "autograde", SLUG, "--course", str(tmp_path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Refusing to autograde" in proc.stderr and "bubblewrap" in proc.stderr
    assert "--unsandboxed" in proc.stderr
    if sys.platform.startswith("linux"):
        assert "apt install bubblewrap" in proc.stderr  # how to get it


# ---------------------------------------------------------------------------------------------- the sandbox


def test_the_sandbox_never_mounts_home_the_course_or_the_keys(tmp_path):
    cwd = tmp_path / "root" / "autograded" / "someone" / SLUG
    cwd.mkdir(parents=True)
    (cwd / f"{SLUG}.ipynb").write_text("{}")
    (cwd / "notes.csv").write_text("a,b\n")
    (cwd / "link.csv").symlink_to(KEYS)
    argv = sandbox._sandbox_argv(["python"], connection_file=None, cwd=cwd, limits=[], scratch_bytes=1 << 20)
    binds = [argv[i + 1] for i, a in enumerate(argv) if a in ("--bind", "--ro-bind", "--ro-bind-try")]
    home = Path.home().resolve()
    for path in map(Path, binds):
        assert path != home and not home.is_relative_to(path) or path == Path("/usr"), path
        assert not cwd.is_relative_to(path), f"{path} holds the notebook being graded"
    assert str(cwd / "notes.csv") in binds  # a member's own data file is readable ...
    assert str(cwd / f"{SLUG}.ipynb") not in binds and str(cwd / "link.csv") not in binds  # ... not the tests
    masked = [argv[i + 1] for i, a in enumerate(argv) if a == "--tmpfs"]
    assert str(KEYS.parent) in masked  # the grading package (answer keys, specs) is an empty folder inside
    assert "--unshare-net" in argv and "--remount-ro" in argv and "--bind" not in argv
    # Outside nbgrader's layout only the working folder itself is withheld, never the whole machine.
    assert sandbox._read_only_paths(tmp_path, []), "a kernel started elsewhere would have no Python"


# --------------------------------------------------------------------------------- as an ordinary user, too

MEMBER_UID = 4242  # an unprivileged uid with no account: the facilitator when not root


def _as_ordinary_user(argv: list[str], home: Path, scratch: Path) -> list[str]:
    """Run argv as MEMBER_UID in a private mount namespace where the Python installation is reachable.

    CI runs as root with Python under /root (mode 0700); an ordinary facilitator's Python is readable by them.
    So, in a throwaway mount namespace, each unreachable folder on the way to Python is replaced by an open
    one holding only the path needed (nothing changes for the rest of the machine).
    """
    hidden: dict[Path, set[str]] = {}  # unreachable folder -> the children on the way to what is needed
    for need in {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), REPO}:
        for parent in reversed(need.parents):
            if parent != Path("/") and not os.stat(parent).st_mode & 0o001:
                hidden.setdefault(parent, set()).add(need.relative_to(parent).parts[0])
                break
    script = ["set -e"]
    for parent, children in hidden.items():
        holds = {child: tempfile.mkdtemp(prefix="hold-", dir=scratch) for child in sorted(children)}
        script += [f"mount --bind '{parent / c}' '{h}'" for c, h in holds.items()]
        script.append(f"mount -t tmpfs -o mode=755 none '{parent}'")
        script += [f"mkdir -p '{parent / c}' && mount --bind '{h}' '{parent / c}'" for c, h in holds.items()]
    quoted = " ".join(f"'{a}'" for a in argv)
    script.append(
        f"exec setpriv --reuid={MEMBER_UID} --regid={MEMBER_UID} --clear-groups env HOME='{home}' "
        f"USER=member {quoted}"
    )
    return ["unshare", "-m", "--propagation", "private", "sh", "-c", "\n".join(script)]


@pytest.mark.skipif(os.geteuid() != 0, reason="already an ordinary user: the main batch ran as one")
def test_as_an_ordinary_user_the_sandbox_works_the_same(release, assignment, batch):
    tmp = Path(tempfile.mkdtemp(prefix="sandbox-user-"))
    try:
        course = _make_course(tmp)
        all_right = simulate.submission(release, assignment)
        codes = attacks(course, 9)
        _submit(course, "honest", _honest(release, assignment))
        for member in ("reads-source", "fork-bomb"):
            _submit(course, member, simulate.fill(all_right, {Q1: codes[member]}))
        home = tmp / "home"
        home.mkdir()
        tmp.chmod(0o755)
        subprocess.run(["chown", "-R", f"{MEMBER_UID}:{MEMBER_UID}", str(tmp)], check=True)
        proc = subprocess.run(
            _as_ordinary_user(_autograde_argv(course), home, tmp),
            cwd=REPO,
            env=_env(PYTHONDONTWRITEBYTECODE="1"),
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        assert "kernels sandboxed" in proc.stdout
        scores = _scores(course)
        assert scores["honest"] == batch["scores"]["honest"]
        assert scores["reads-source"] == deserved(batch)
        assert scores["fork-bomb"] <= deserved(batch)
        assert "STOLEN SOLUTION" not in _outputs(course, "reads-source")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
