# nbgrader settings of every member's server on the hub (the hub points JUPYTER_CONFIG_PATH here).
# Members fetch and submit through nbgrader's exchange; the circles they belong to come from the hub's groups
# (nbgrader-<course>, formgrade-<course>), and their student id is their hub user name: on a server where
# everyone's Jupyter runs as one Unix user, nbgrader would otherwise name every submission after that user.
import os

from nbgrader.auth import JupyterHubAuthPlugin

c = get_config()  # noqa: F821 - provided by nbgrader when it reads this file
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE", "/srv/nbgrader/exchange")
c.Exchange.path_includes_course = True
c.Authenticator.plugin_class = JupyterHubAuthPlugin
if os.environ.get("JUPYTERHUB_USER"):
    c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
