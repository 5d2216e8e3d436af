"""The Party Question on JupyterHub: one hub, one or more study circles (courses), nbgrader's exchange.

``jupyterhub_config.py`` (beside this file) calls :func:`configure`; The Littlest JupyterHub loads that file from
``/opt/tljh/config/jupyterhub_config.d/`` and Zero to JupyterHub from ``hub.extraConfig`` (see README.md).

What it sets up, for each circle named in the courses file (``courses.example.yml`` shows the format):

* a **course service** ``/services/<course>/``: a Jupyter server started by the hub in the circle's course
  folder, with nbgrader's formgrader; only the circle's facilitators may open it;
* the groups ``formgrade-<course>`` (facilitators) and ``nbgrader-<course>`` (members), which nbgrader's
  JupyterHub plug-in reads to know who belongs to which circle;
* the roles that make the course list work: facilitators may open their course service, and every user and
  every user's server may list and read the hub's services (``list:services``, ``read:services``);
* the course folder itself, made on first start from the course's ``assignments/`` (its ``nbgrader_config.py``
  adds the circle's course id and the exchange, nothing else), and the exchange folder.

Members' servers read their nbgrader settings from ``members/`` (the student id is the hub user's name, so
one Unix user for everyone, as on a small server, still keeps members apart).

No secret is kept in this repository: the hub's cookie secret and database live in the data folder
(``PARTY_HUB_DATA``), tokens and passwords come from the environment (see :data:`SETTINGS`).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MEMBERS_CONFIG = Path(os.environ.get("PARTY_HUB_MEMBERS_CONFIG") or HERE / "members")
NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?\Z")
SERVICE_PORT_BASE = 10101

# Every setting that comes from the environment, with what it is for (README.md lists them too).
SETTINGS = {
    "PARTY_HUB_COURSES": "the courses file: circles, their facilitators and members (required)",
    "PARTY_HUB_DATA": "where the hub keeps its database, cookie secret and pid file (default: the current folder)",
    "PARTY_HUB_ROOT": "where course folders and the exchange live when the courses file does not say "
    "(default /srv/nbgrader)",
    "PARTY_HUB_SPAWNER": "'local' to run every server as the hub's own Unix user (tests, a one-user server); "
    "unset: keep the deployment's spawner (TLJH: systemd, Z2JH: Kubernetes)",
    "PARTY_HUB_AUTH": "'dummy' for the tests only (any listed user, one shared password); unset: keep the "
    "deployment's authenticator",
    "PARTY_HUB_DUMMY_PASSWORD": "the shared password of the dummy authenticator (tests only)",
    "PARTY_HUB_ADMIN_TOKEN": "optional: a token for scripts that add users and start servers (a service "
    "'party-admin'); make one with `openssl rand -hex 32`",
    "PARTY_HUB_IP": "optional: the address the hub listens on (the tests use 127.0.0.1)",
    "PARTY_HUB_PORT": "optional: the public port",
    "PARTY_HUB_API_PORT": "optional: the hub's internal port",
    "PARTY_HUB_PROXY_API_PORT": "optional: the proxy's API port",
    "PARTY_HUB_PYTHON": "optional: the Python of the course's environment, for the course services "
    "(TLJH: /opt/tljh/user/bin/python); default: the hub's own",
    "PARTY_HUB_MEMBERS_CONFIG": "optional: the folder of the members' nbgrader settings as the members' servers "
    "see it (Z2JH: /opt/party-question/hub/members in the course image); default: members/ beside this file",
    "PARTY_HUB_SERVICE_TOKEN_<COURSE>": "Z2JH only: the API token of each course service run in its own pod "
    "(course name in capitals, hyphens as underscores); `openssl rand -hex 32`, kept in a Kubernetes Secret",
    "PARTY_HUB_MANAGED_SERVICES": "'0' when the course services run elsewhere (Z2JH); default: the hub starts them",
}


class CourseError(ValueError):
    pass


def load_courses(path: str | os.PathLike) -> dict:
    """The courses file, checked: ``{"exchange": Path, "courses": {name: {...}}, "admins": [...]}``."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        import yaml

        data = yaml.safe_load(text) or {}
    except ImportError:  # The Littlest JupyterHub's hub environment has ruamel.yaml instead
        from ruamel.yaml import YAML

        data = YAML(typ="safe").load(text) or {}
    root = Path(data.get("root") or os.environ.get("PARTY_HUB_ROOT", "/srv/nbgrader"))
    courses = data.get("courses") or {}
    if not courses:
        raise CourseError(f"{path} names no course (see hub/courses.example.yml)")
    out = {}
    for n, (name, course) in enumerate(courses.items()):
        course = course or {}
        if not NAME.match(str(name)):
            raise CourseError(f"course name {name!r}: use lowercase letters, digits and hyphens")
        facilitators = [str(u) for u in course.get("facilitators") or []]
        members = [str(u) for u in course.get("members") or []]
        for user in facilitators + members:
            if not NAME.match(user):
                raise CourseError(f"user name {user!r} in {name}: use lowercase letters, digits and hyphens")
        out[str(name)] = {
            "folder": Path(course.get("folder") or root / "courses" / str(name)),
            "facilitators": facilitators,
            "members": members,
            "port": int(course.get("port") or SERVICE_PORT_BASE + n),
            # a course service run elsewhere (Z2JH: its Kubernetes Service)
            "url": str(course.get("url") or ""),
            # the Unix user the course service runs as (a hub run as root, as on TLJH); its terminal is that user's
            "user": str(course.get("service_user") or ""),
        }
    return {
        "exchange": Path(data.get("exchange") or root / "exchange"),
        "courses": out,
        "admins": [str(u) for u in data.get("admins") or []],
    }


def course_config(course: str, exchange: Path) -> str:
    """The nbgrader_config.py of a course folder on the hub: the course's own settings, then the hub's."""
    return f'''# nbgrader settings of the circle "{course}" on the hub (written by hub/party_hub.py; safe to keep).
# The course's settings first (the same as in the repository's assignments/), then the hub's.
from course_helpers.grading.config import configure

c = get_config()  # noqa: F821 - provided by nbgrader when it reads this file
configure(c)
c.CourseDirectory.course_id = "{course}"
c.Exchange.root = "{exchange}"
c.Exchange.path_includes_course = True
# every server may run as one Unix user: the member is the hub user named in the submission, not the file owner
c.ExchangeCollect.check_owner = False
'''


def prepare(courses: dict, source: Path = REPO / "assignments") -> None:
    """Make the exchange and each course folder that does not exist yet (an existing one is left as it is)."""
    exchange = courses["exchange"]
    exchange.mkdir(parents=True, exist_ok=True)
    exchange.chmod(0o1777)  # nbgrader's exchange: everyone writes, the sticky bit keeps each member's own
    for name, course in courses["courses"].items():
        folder = course["folder"]
        if not (folder / "nbgrader_config.py").is_file():
            folder.mkdir(parents=True, exist_ok=True)
            if not (folder / "source").exists():
                shutil.copytree(source / "source", folder / "source")
            (folder / "nbgrader_config.py").write_text(course_config(name, exchange), encoding="utf-8")
            if course["user"] and hasattr(os, "geteuid") and os.geteuid() == 0:  # the service's own folder
                for path in [folder, *folder.rglob("*")]:
                    shutil.chown(path, course["user"], course["user"])
                folder.chmod(0o700)  # the keys and the gradebook: the circle's facilitators only


def course_python() -> str:
    """The Python of the course's environment (requirements.txt): the hub's own unless PARTY_HUB_PYTHON says
    otherwise (TLJH: /opt/tljh/user/bin/python, where the course is installed)."""
    return os.environ.get("PARTY_HUB_PYTHON") or sys.executable


def _env_bin() -> str:
    """The environment's bin/ first on PATH: nbgrader runs ``alembic`` and the course's commands from there."""
    return str(Path(course_python()).parent) + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin")


def token_variable(course: str) -> str:
    """The environment variable holding the API token of a course service run elsewhere (Z2JH)."""
    return "PARTY_HUB_SERVICE_TOKEN_" + course.upper().replace("-", "_")


def services_and_roles(
    courses: dict, managed: bool = True, env: dict | None = None
) -> tuple[list, list, dict]:
    """(services, roles, groups) for the hub's configuration."""
    env = os.environ if env is None else env
    services, roles, groups = [], [], {}
    root_args = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    for name, course in courses["courses"].items():
        service = {
            "name": name,
            "url": course["url"] or f"http://127.0.0.1:{course['port']}",
            "oauth_no_confirm": True,
            # a token for this service may only reach this service
            "oauth_client_allowed_scopes": [f"access:services!service={name}"],
            "display": True,
        }
        if managed:
            if course["user"]:
                service["user"] = course["user"]
            service.update(
                command=[
                    course_python(),
                    "-m",
                    "jupyterhub.singleuser",
                    *([] if course["user"] else root_args),
                ],
                cwd=str(course["folder"]),
                environment={
                    "PATH": _env_bin(),
                    "JUPYTERHUB_DEFAULT_URL": "/formgrader",
                    "HOME": str(course["folder"]),
                },
            )
        else:  # the service runs in its own pod and shows this token to the hub (kept in a Kubernetes Secret)
            token = env.get(token_variable(name))
            if not token:
                raise CourseError(
                    f"{token_variable(name)} is not set: the course service {name} needs a token"
                )
            service.update(api_token=token, url=course["url"] or f"http://course-{name}:8888")
        services.append(service)
        groups[f"formgrade-{name}"] = {"users": course["facilitators"]}
        groups[f"nbgrader-{name}"] = {"users": course["members"]}
        roles.append(
            {
                "name": f"formgrader-{name}",
                "description": f"facilitators of {name}: open its course service (the formgrader)",
                "groups": [f"formgrade-{name}"],
                "scopes": [f"access:services!service={name}", "list:services", "read:services"],
            }
        )
        roles.append(
            {
                "name": f"course-{name}",
                "description": f"the course service of {name}: see users and manage its members' group",
                "services": [name],
                "scopes": [
                    "list:users",
                    "read:users",
                    "list:groups",
                    "read:groups",
                    f"groups!group=nbgrader-{name}",
                    "list:services",
                    "read:services",
                ],
            }
        )
    # Every user (and the token of every user's server) may list and read the services: nbgrader's course list
    # asks the hub which course services there are, and answers 403 without these.
    roles.append(
        {
            "name": "user",
            "description": "standard user privileges, and the list of course services",
            "scopes": ["self", "list:services", "read:services"],
        }
    )
    return services, roles, groups


SERVER_TOKEN_SCOPES = [
    "users:activity!user",
    "access:servers!server",
    "read:users:name!user",
    "read:users:groups!user",  # nbgrader asks which circles (groups) the member is in
    "list:services",
    "read:services",
]


def configure(c, courses_file: str | os.PathLike | None = None, env: dict | None = None) -> dict:
    """Apply the course's hub settings to the JupyterHub config ``c``; returns the courses read."""
    env = dict(os.environ if env is None else env)
    path = courses_file or env.get("PARTY_HUB_COURSES")
    if not path:
        raise CourseError("set PARTY_HUB_COURSES to your courses file (see hub/courses.example.yml)")
    courses = load_courses(path)
    managed = env.get("PARTY_HUB_MANAGED_SERVICES", "1") != "0"
    if managed:
        prepare(courses)
    services, roles, groups = services_and_roles(courses, managed=managed, env=env)

    data = Path(env.get("PARTY_HUB_DATA") or Path.cwd())
    if env.get(
        "PARTY_HUB_DATA"
    ):  # else the deployment's own places (TLJH: /opt/tljh/state, Z2JH: its volume)
        data.mkdir(parents=True, exist_ok=True)
        c.JupyterHub.db_url = f"sqlite:///{data / 'jupyterhub.sqlite'}"
        c.JupyterHub.cookie_secret_file = str(data / "jupyterhub_cookie_secret")  # made by the hub, mode 600
        c.JupyterHub.pid_file = str(data / "jupyterhub.pid")
        c.ConfigurableHTTPProxy.pid_file = str(data / "jupyterhub-proxy.pid")
    if env.get("PARTY_HUB_IP"):
        c.JupyterHub.ip = env["PARTY_HUB_IP"]
        c.JupyterHub.hub_ip = env["PARTY_HUB_IP"]
    if env.get("PARTY_HUB_PORT"):
        c.JupyterHub.port = int(env["PARTY_HUB_PORT"])
    if env.get("PARTY_HUB_API_PORT"):
        c.JupyterHub.hub_port = int(env["PARTY_HUB_API_PORT"])
    if env.get("PARTY_HUB_PROXY_API_PORT"):
        c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{int(env['PARTY_HUB_PROXY_API_PORT'])}"

    users = {u for course in courses["courses"].values() for u in course["facilitators"] + course["members"]}
    # (config values set earlier, as TLJH does, are extended, not replaced)
    c.Authenticator.allowed_users.update(users)
    if courses["admins"]:
        c.Authenticator.admin_users.update(courses["admins"])
    if env.get("PARTY_HUB_ADMIN_TOKEN"):
        services.append({"name": "party-admin", "api_token": env["PARTY_HUB_ADMIN_TOKEN"]})
        roles.append(
            {
                "name": "party-admin",
                "description": "scripts that add users, start servers and hand out tokens",
                "services": ["party-admin"],
                "scopes": ["admin:users", "admin:servers", "tokens", "list:services", "read:services"],
            }
        )
    c.JupyterHub.services.extend(services)
    c.JupyterHub.load_roles.extend(roles)
    c.JupyterHub.load_groups.update(groups)
    c.Spawner.server_token_scopes = SERVER_TOKEN_SCOPES

    # members' servers: nbgrader's exchange settings (members/), the environment's bin/ on PATH
    c.Spawner.environment.update(
        {"JUPYTER_CONFIG_PATH": str(MEMBERS_CONFIG), "NBGRADER_EXCHANGE": str(courses["exchange"])}
    )
    if env.get("PARTY_HUB_SPAWNER") == "local":
        c.JupyterHub.spawner_class = "simple"  # every server runs as the hub's Unix user, in its own home
        c.SimpleLocalProcessSpawner.home_dir_template = str(data / "home" / "{username}")
        c.Spawner.cmd = [course_python(), "-m", "jupyterhub.singleuser"]
        c.Spawner.environment.update({"PATH": _env_bin()})
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            c.Spawner.args.append("--allow-root")
        c.Spawner.start_timeout = 120
        c.Spawner.http_timeout = 120
    if env.get("PARTY_HUB_AUTH") == "dummy":
        if not env.get("PARTY_HUB_DUMMY_PASSWORD"):
            raise CourseError("the dummy authenticator needs PARTY_HUB_DUMMY_PASSWORD (tests only)")
        c.JupyterHub.authenticator_class = "dummy"
        c.DummyAuthenticator.password = env["PARTY_HUB_DUMMY_PASSWORD"]
    return courses


def main(argv: list[str]) -> int:
    """``python party_hub.py prepare``: make the exchange and the course folders named in PARTY_HUB_COURSES (for a
    deployment where the hub does not start the course services itself, as on Kubernetes)."""
    if argv != ["prepare"] or not os.environ.get("PARTY_HUB_COURSES"):
        print("usage: PARTY_HUB_COURSES=courses.yml python party_hub.py prepare")
        return 2
    courses = load_courses(os.environ["PARTY_HUB_COURSES"])
    prepare(courses)
    for name, course in courses["courses"].items():
        print(f"{name}: {course['folder']}")
    print(f"exchange: {courses['exchange']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
