# JupyterHub settings for The Party Question: one hub, one or more study circles, nbgrader's exchange.
# Everything is in party_hub.py beside this file; what differs between machines comes from the environment
# (PARTY_HUB_COURSES names the courses file; party_hub.SETTINGS lists the rest). No secret lives here.
#
#   The Littlest JupyterHub: copy this file to /opt/tljh/config/jupyterhub_config.d/party.py (README.md)
#   a local test hub:        PARTY_HUB_COURSES=courses.yml PARTY_HUB_SPAWNER=local ... jupyterhub -f <this file>
import os
import sys

HUB_DIR = os.environ.get("PARTY_HUB_DIR") or os.path.dirname(os.path.realpath(__file__))
if HUB_DIR not in sys.path:
    sys.path.insert(0, HUB_DIR)

import party_hub  # noqa: E402

c = get_config()  # noqa: F821 - provided by JupyterHub when it reads this file
party_hub.configure(c)
