# nbgrader settings for The Party Question. Run nbgrader from this folder (assignments/).
# The settings themselves live in src/course_helpers/grading/config.py, where tests check them.
from course_helpers.grading.config import configure

c = get_config()  # noqa: F821 - provided by nbgrader when it reads this file
configure(c)
