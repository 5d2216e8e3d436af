# The Littlest JupyterHub: copy to /opt/tljh/config/jupyterhub_config.d/party.py, then `sudo tljh-config reload hub`.
# TLJH keeps its own authenticator, spawner (one Unix user per member), database and HTTPS; this adds the circles.
# Paths: where you cloned the course (step 2 of hub/README.md) and your courses file; no secret lives here.
import os
import sys

os.environ.setdefault("PARTY_HUB_COURSES", "/srv/nbgrader/courses.yml")
os.environ.setdefault(
    "PARTY_HUB_PYTHON", "/opt/tljh/user/bin/python"
)  # the course services run the course's env
sys.path.insert(0, "/srv/party-question/hub")

import party_hub  # noqa: E402

party_hub.configure(c)  # noqa: F821 - c is TLJH's JupyterHub config
