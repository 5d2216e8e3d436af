"""The course on a hub (issue 18): JupyterHub with nbgrader's exchange, two facilitators, three members.

One local hub (``hub/jupyterhub_config.py``, the dummy authenticator, every server a local process listening on
127.0.0.1) runs two circles.  The walk: a facilitator releases an assignment from the formgrader (making the
circle's letters), the members fetch it from their own servers, answer in the circle's letters and submit; the
course's collect and autograde commands (sandboxed when bubblewrap works) read the hub's course folder; the
facilitator makes and releases the feedback; the members fetch it.  Along the way: members are refused the
formgrader and each other's servers, a member of the other circle is refused this one, the class report shows
the same figures as the email route for the same notebooks, and after the hub stops nothing it started runs.

Needs node, npm and configurable-http-proxy (``npm install -g configurable-http-proxy@5.3.0``): skipped with a
message without them, failed in CI (``CI=true``).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from course_helpers.grading import autograde, circle, collect, kernel, report, simulate, spec

pytestmark = [pytest.mark.grading]
try:  # in a parallel run (tasks.py test) every test of this module runs on one worker, around one hub
    import xdist  # noqa: F401

    pytestmark.append(pytest.mark.xdist_group("hub"))
except ImportError:
    pass

ROOT = Path(__file__).resolve().parents[1]
HUB = ROOT / "hub"
IN_CI = os.environ.get("CI", "").lower() == "true"
SLUG = "role-of-cadre"
COURSE, OTHER = "circle-north", "circle-south"
FACILITATORS = ["rosa", "karl"]
MEMBERS = ["ana", "ben", "chloe"]
OUTSIDER = "olga"  # a member of the other circle
READY_TIMEOUT = 120  # seconds: generous, the machine is shared
STOP_TIMEOUT = 60


def _missing_tools() -> list[str]:
    return [t for t in ("node", "npm", "configurable-http-proxy") if shutil.which(t) is None]


def _free_ports(n: int) -> list[int]:
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _tree(pid: int) -> set[int]:
    """``pid`` and every process descended from it (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        if p not in found:
            found.add(p)
            todo.extend(children.get(p, []))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _marked(marker: str) -> set[int]:
    """Processes whose command line or working folder names ``marker`` (this test's folder)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if (marker in cmd or cwd.startswith(marker)) and _alive(int(entry.name)):
            found.add(int(entry.name))
    return found


class Hub:
    def __init__(self, folder: Path):
        import requests

        self.folder = folder
        self.http = requests.Session()
        self.port, api_port, proxy_port, north_port, south_port = _free_ports(5)
        self.url = f"http://127.0.0.1:{self.port}"
        self.data = folder / "data"
        self.srv = folder / "srv"
        self.course = self.srv / "courses" / COURSE
        self.courses_file = folder / "courses.yml"
        self.courses_file.write_text(
            f"root: {self.srv}\ncourses:\n"
            f"  {COURSE}:\n    port: {north_port}\n    facilitators: [{', '.join(FACILITATORS)}]\n"
            f"    members: [{', '.join(MEMBERS)}]\n"
            f"  {OTHER}:\n    port: {south_port}\n    facilitators: [karl]\n    members: [{OUTSIDER}]\n",
            encoding="utf-8",
        )
        import secrets

        self.admin_token = secrets.token_hex(32)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTERHUB_", "JPY_", "PARTY_HUB_"))}
        env.update(
            PATH=str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""),
            PARTY_HUB_COURSES=str(self.courses_file),
            PARTY_HUB_DATA=str(self.data),
            PARTY_HUB_SPAWNER="local",
            PARTY_HUB_AUTH="dummy",
            PARTY_HUB_DUMMY_PASSWORD=secrets.token_hex(16),
            PARTY_HUB_ADMIN_TOKEN=self.admin_token,
            PARTY_HUB_IP="127.0.0.1",
            PARTY_HUB_PORT=str(self.port),
            PARTY_HUB_API_PORT=str(api_port),
            PARTY_HUB_PROXY_API_PORT=str(proxy_port),
        )
        self.log = folder / "jupyterhub.log"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(HUB / "jupyterhub_config.py")],
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.seen: set[int] = {self.proc.pid}
        self.tokens: dict[str, str] = {}
        self.survivors: set[int] | None = None
        self.clock = time.monotonic()

    def lap(self, what: str) -> None:
        now = time.monotonic()
        print(f"hub test: {what} in {now - self.clock:.1f} s", flush=True)
        self.clock = now

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def watch(self) -> None:
        """Remember every process the hub has started so far (to check at the end that none survives)."""
        self.seen |= _tree(self.proc.pid)

    def api(self, method: str, path: str, token: str | None = None, **kw):
        headers = {"Authorization": f"token {token or self.admin_token}"}
        return self.http.request(method, self.url + path, headers=headers, timeout=120, **kw)

    def _poll(self, what: str, ready) -> None:
        """Poll ``ready()`` until it is true (retries only here: waiting for something to listen)."""
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the hub stopped (exit {self.proc.returncode}):\n{self.log_tail()}")
            try:
                if ready():
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"{what} not ready after {READY_TIMEOUT} s:\n{self.log_tail()}")

    def wait_for_hub(self) -> None:
        self._poll("the hub", lambda: self.api("GET", "/hub/api/services").status_code == 200)

    def wait_for_services(self) -> None:
        # 403 without a facilitator's token: the service answers, through the proxy
        self._poll(
            "the course services",
            lambda: all(
                self.api("GET", f"/services/{c}/api/status").status_code in (200, 302, 403)
                for c in (COURSE, OTHER)
            ),
        )

    def token(self, user: str) -> str:
        if user not in self.tokens:
            r = self.api("POST", f"/hub/api/users/{user}/tokens", json={"note": "test", "expires_in": 3600})
            assert r.status_code in (200, 201), r.text
            self.tokens[user] = r.json()["token"]
        return self.tokens[user]

    def spawn(self, users: list[str]) -> None:
        for user in users:
            r = self.api("POST", f"/hub/api/users/{user}/server")
            assert r.status_code in (201, 202), (user, r.status_code, r.text)

    def wait_for_servers(self, users: list[str]) -> None:
        def ready() -> bool:
            return all(
                self.api("GET", f"/hub/api/users/{u}").json().get("servers", {}).get("", {}).get("ready")
                for u in users
            )

        self._poll("the members' servers", ready)
        self.watch()

    def stop(self) -> set[int]:
        """SIGTERM to the hub's own pid (its pid file), wait for it; return what it started and left running."""
        if self.survivors is not None:
            return self.survivors
        if self.proc.poll() is None:
            self.watch()
            pid_file = self.data / "jupyterhub.pid"
            pid = int(pid_file.read_text()) if pid_file.is_file() else self.proc.pid
            # the pid file names our hub (never signal another process, even when something went wrong)
            os.kill(pid if pid == self.proc.pid else self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        deadline = time.monotonic() + 15
        left = set()
        while time.monotonic() < deadline:
            left = {p for p in self.seen if p != self.proc.pid and _alive(p)} | _marked(str(self.folder))
            if not left:
                break
            time.sleep(0.3)
        self.survivors = left
        for pid in left:  # clean up even so, then report
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.http.close()
        return left


@pytest.fixture(scope="session")
def hub(tmp_path_factory):
    missing = _missing_tools()
    if missing:
        message = (
            f"the hub test needs {', '.join(missing)}: install Node.js and npm, then "
            "`npm install -g configurable-http-proxy@5.3.0` (.ci/run does)"
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    started = time.monotonic()
    running = Hub(tmp_path_factory.mktemp("hub"))
    try:
        running.wait_for_hub()
        running.lap("hub ready")
        running.spawn([*MEMBERS, OUTSIDER])  # while the course services start
        running.wait_for_services()
        running.watch()
        running.wait_for_servers([*MEMBERS, OUTSIDER])
        running.lap("two course services and four members' servers ready")
        yield running
    finally:
        left = running.stop()
        print(f"hub test: {time.monotonic() - started:.1f} s from start to stop")
        assert not left, f"left running after the hub stopped: {sorted(left)}"


def _post(hub: Hub, user: str, path: str, **data):
    r = hub.api("POST", f"/user/{user}/assignments/{path}", hub.token(user), data=data)
    assert r.status_code == 200, (user, path, r.status_code, r.text[:500])
    return r.json()


def _contents(hub: Hub, user: str, path: str, nb=None):
    url = f"/user/{user}/api/contents/{path}"
    if nb is None:
        r = hub.api("GET", url, hub.token(user))
        assert r.status_code == 200, (user, path, r.status_code, r.text[:300])
        return nbformat.from_dict(r.json()["content"])
    r = hub.api("PUT", url, hub.token(user), json={"type": "notebook", "format": "json", "content": nb})
    assert r.status_code in (200, 201), (user, path, r.status_code, r.text[:300])


def _formgrader(hub: Hub, user: str, action: str):
    r = hub.api("POST", f"/services/{COURSE}/formgrader/api/assignment/{SLUG}/{action}", hub.token(user))
    assert r.status_code == 200, (action, r.status_code, r.text[:500])
    reply = r.json()
    assert reply.get("success"), (action, reply.get("error") or reply.get("log"))
    return reply


def _grading(*args: str, course: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return subprocess.run(
        [sys.executable, "-m", "course_helpers.grading", *args, "--course", str(course)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _sandbox_flag() -> list[str]:
    ok, why = kernel.sandbox_status()
    if ok:
        return []
    if IN_CI:
        pytest.fail(f"CI grades in the sandbox, which does not work here: {why}")
    print(f"grading unsandboxed on this machine: {why}")
    return ["--unsandboxed"]


@pytest.fixture(scope="session")
def hub_round(hub, tmp_path_factory):
    """The whole round on the hub; returns what the tests check."""
    out: dict = {"members": {}}
    path = f"{COURSE}/{SLUG}/{SLUG}.ipynb"
    # a facilitator releases from the formgrader: the first release makes the circle's letters
    _formgrader(hub, "rosa", "assign")
    _formgrader(hub, "karl", "release")  # the other facilitator releases it to the exchange
    hub.lap("released from the formgrader")
    seed = circle.read_seed(hub.course)
    out["seed"] = seed
    shutil.copy(hub.course / "gradebook.db", hub.folder / "released-gradebook.db")  # for the email route
    assignment = spec.load(SLUG, seed=seed)
    items = [i.id for i in assignment.auto_items]
    answers = {
        "ana": (None, False),  # every answer right
        "ben": (set(items[: len(items) // 2]), False),  # the first half right, the rest wrong
        "chloe": (set(items[::2]), True),  # every other answer right, typed with capitals and commas
    }

    def member_round(member: str):
        listed = _post(hub, member, "fetch", course_id=COURSE, assignment_id=SLUG)
        released = _contents(hub, member, path)
        right, messy = answers[member]
        _contents(hub, member, path, simulate.submission(released, assignment, right=right, messy=messy))
        submitted = _post(hub, member, "submit", course_id=COURSE, assignment_id=SLUG)
        return listed, released, submitted

    with ThreadPoolExecutor(3) as pool:
        for member, result in zip(MEMBERS, pool.map(member_round, MEMBERS), strict=True):
            out["members"][member] = result
    hub.lap("members fetched, answered and submitted")
    out["expected"] = {m: simulate.expected_score(assignment, right) for m, (right, _) in answers.items()}
    # the course's own commands read the hub's course folder
    out["collect"] = _grading("collect", SLUG, course=hub.course)
    hub.lap("collected")
    sandbox = _sandbox_flag()
    out["autograde"] = _grading("autograde", SLUG, "--jobs", "2", *sandbox, course=hub.course)
    assert out["autograde"].returncode == 0, out["autograde"].stdout + out["autograde"].stderr
    hub.lap("autograded")
    _formgrader(hub, "rosa", "generate_feedback")
    _formgrader(hub, "rosa", "release_feedback")
    for member in MEMBERS:
        _post(hub, member, "fetch_feedback", course_id=COURSE, assignment_id=SLUG)
    hub.lap("feedback made, released and fetched")
    hub.watch()
    out["sandbox"] = not sandbox
    return out


def test_the_course_on_the_hub_releases_with_the_circles_letters(hub, hub_round):
    seed = hub_round["seed"]
    assert seed != circle.PUBLIC
    for member, (listed, released, _) in hub_round["members"].items():
        assert listed["success"], listed
        assert any(a["assignment_id"] == SLUG and a["course_id"] == COURSE for a in listed["value"]), listed
        cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in released.cells}
        for item in spec.load(SLUG, seed=seed).auto_items:
            if item.kind in ("choice", "truefalse"):
                for letter in item.options:
                    assert f"**{letter}**" in cells[f"{item.grade_id}-question"], (member, item.id)


def test_members_submit_under_their_own_hub_names_and_are_collected(hub, hub_round):
    collect = hub_round["collect"]
    said = collect.stdout + collect.stderr
    assert collect.returncode == 0, said
    for member in MEMBERS:
        assert re.search(rf"^\s+{member}: collected from the hub", collect.stdout, re.M), said
        assert (hub.course / "submitted" / member / SLUG / f"{SLUG}.ipynb").is_file()
    assert sorted(p.name for p in (hub.course / "submitted").iterdir()) == sorted(MEMBERS)


def test_autograde_on_the_hub_gives_the_expected_scores(hub, hub_round):
    from nbgrader.api import Gradebook

    said = hub_round["autograde"].stdout
    assert ("kernels sandboxed" in said) == hub_round["sandbox"], said
    with Gradebook(f"sqlite:///{hub.course / 'gradebook.db'}") as gb:
        for member, expected in hub_round["expected"].items():
            sub = gb.find_submission(SLUG, member)
            auto = sum(g.score for nb in sub.notebooks for g in nb.grades if g.cell.cell_type == "code")
            assert auto == pytest.approx(expected, abs=0.01), (member, auto, expected)
    assert hub_round["expected"]["ana"] > hub_round["expected"]["ben"] > 0


def test_members_fetch_their_own_feedback(hub, hub_round):
    for member in MEMBERS:
        pages = list((hub.data / "home" / member / COURSE / SLUG / "feedback").glob(f"*/{SLUG}.html"))
        assert len(pages) == 1, (member, pages)
        text = pages[0].read_text(encoding="utf-8")
        scores = re.findall(r"Score: ([0-9.]+) / ([0-9.]+)", text)
        assert scores and float(scores[0][0]) == pytest.approx(hub_round["expected"][member]), (
            member,
            scores,
        )
        assert "BEGIN HIDDEN TESTS" not in text and "Rubric for the facilitator" not in text


def test_members_are_refused_the_formgrader_and_each_others_servers(hub, hub_round):
    for member in [*MEMBERS, OUTSIDER]:
        r = hub.api("GET", f"/services/{COURSE}/formgrader/api/assignments", hub.token(member))
        assert r.status_code == 403, (member, r.status_code)
        r = hub.api("POST", f"/services/{COURSE}/formgrader/api/assignment/{SLUG}/release", hub.token(member))
        assert r.status_code == 403, (member, r.status_code)
    for facilitator in FACILITATORS:
        r = hub.api("GET", f"/services/{COURSE}/formgrader/api/assignments", hub.token(facilitator))
        assert r.status_code == 200, (facilitator, r.status_code)
    r = hub.api("GET", f"/services/{OTHER}/formgrader/api/assignments", hub.token("rosa"))
    assert r.status_code == 403, "a facilitator of one circle is refused the other's formgrader"
    assert hub.api("GET", "/user/ana/api/contents", hub.token("ana")).status_code == 200
    for intruder in ("ben", "chloe", OUTSIDER, "rosa"):
        r = hub.api("GET", "/user/ana/api/contents", hub.token(intruder))
        assert r.status_code == 403, (intruder, r.status_code)


def test_a_member_outside_the_course_is_refused(hub, hub_round):
    courses = hub.api("GET", f"/user/{OUTSIDER}/courses", hub.token(OUTSIDER)).json()
    names = {c.get("course_id") for c in courses.get("value", [])} if isinstance(courses, dict) else set()
    assert COURSE not in names, courses
    listed = hub.api(
        "GET", f"/user/{OUTSIDER}/assignments", hub.token(OUTSIDER), params={"course_id": COURSE}
    ).json()
    assert not listed.get("value"), listed
    hub.api(
        "POST",
        f"/user/{OUTSIDER}/assignments/fetch",
        hub.token(OUTSIDER),
        data={"course_id": COURSE, "assignment_id": SLUG},
    )
    assert not (hub.data / "home" / OUTSIDER / COURSE).exists(), "the outsider fetched the assignment"
    assert not list((hub.srv / "exchange" / COURSE / "inbound").glob(f"{OUTSIDER}+*"))


def test_the_report_shows_the_same_figures_from_the_hub_and_by_email(hub, hub_round, tmp_path):
    """The same notebooks, collected by email (zip_collect) in a circle with the same letters and release."""
    email = tmp_path / "assignments"
    (email / "source").mkdir(parents=True)
    shutil.copy(ROOT / "assignments" / "nbgrader_config.py", email)
    shutil.copytree(ROOT / "assignments" / "source" / SLUG, email / "source" / SLUG)
    shutil.copy(hub.course / circle.SEED_FILE, email / circle.SEED_FILE)
    shutil.copytree(hub.course / "release", email / "release")
    shutil.copy(hub.folder / "released-gradebook.db", email / "gradebook.db")  # as the release left it
    for member in MEMBERS:
        folder = email / "downloaded" / SLUG / "archive" / member
        folder.mkdir(parents=True)
        shutil.copy(hub.course / "submitted" / member / SLUG / f"{SLUG}.ipynb", folder)
    collected = collect.collect(email, SLUG, out=lambda _: None)  # nbgrader zip_collect, as by email
    assert all(ok for ok, _ in collected.values()) and sorted(collected) == MEMBERS, collected
    if _sandbox_flag():
        os.environ["COURSE_GRADING_SANDBOX"] = "0"
    try:
        results = autograde.Grader(email, SLUG, jobs=2, out=lambda _: None).run()
    finally:
        os.environ.pop("COURSE_GRADING_SANDBOX", None)
    assert [r.status for r in results] == ["graded"] * len(MEMBERS), results
    texts = {}
    for route, course in (("hub", hub.course), ("email", email)):
        frame = report.grades(course / "gradebook.db")
        left_out = report.apart(course, frame)
        stats = report.question_stats(frame, left_out)
        progress = report.member_progress(frame, left_out)
        texts[route] = (stats.to_csv(index=False), progress.to_csv(index=False), sorted(left_out))
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            assert report.main(course, tmp_path / f"{route}.html") == 0
        lines = printed.getvalue().splitlines()
        texts[route + "-printed"] = [line for line in lines if "Charts written" not in line]
    assert texts["hub"] == texts["email"]
    assert texts["hub-printed"] == texts["email-printed"]


def test_nothing_is_left_running_after_the_hub_stops(hub, hub_round):
    assert len(hub.seen) >= 1 + 1 + 2 + len(MEMBERS) + 1, "the hub, its proxy, two services and four servers"
    left = hub.stop()
    assert hub.proc.returncode is not None
    assert not left, f"left running after the hub stopped: {sorted(left)}"
    assert not _marked(str(hub.folder))


def test_no_secret_is_kept_in_the_hub_folder():
    secret = re.compile(
        r"[0-9a-f]{32,}|(?i:(?:token|secret|password|passwd)\w*\s*[:=]\s*['\"][^'\"$<{]{6,}['\"])"
        r"|(?im:^\s*\w*(?:token|secret|password)\w*\s*:\s*[A-Za-z0-9+/=_-]{12,}\s*$)"  # unquoted, in YAML
    )
    files = [p for p in HUB.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert any(p.name == "values.yaml" for p in files) and any(p.name == "README.md" for p in files)
    for path in files:
        assert path.suffix not in (".sqlite", ".pem", ".key") and "cookie_secret" not in path.name, path
        text = path.read_text(encoding="utf-8")
        found = secret.findall(text)
        assert not found, f"{path.relative_to(ROOT)} holds what looks like a secret: {found}"
