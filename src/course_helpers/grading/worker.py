"""A grading worker: reads one job per line (JSON: root, assignment, student) and autogrades it with nbgrader.

Started and fed by ``autograde.Grader``; it answers each job with one JSON line on stdout.  Logging goes to
stderr.  It loads nbgrader once and grades many submissions, each in its own private course directory.
"""

from __future__ import annotations

import json
import logging
import sys


def main() -> int:
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    out = sys.stdout
    sys.stdout = sys.stderr  # nothing but our replies goes to the real stdout
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    for line in sys.stdin:
        job = json.loads(line)
        try:
            config = PyFileConfigLoader("nbgrader_config.py", path=job["root"]).load_config()
            coursedir = CourseDirectory(config=config, root=job["root"])
            api = NbGraderAPI(coursedir=coursedir, config=config)
            result = api.autograde(job["assignment"], job["student"], force=True, create=True)
            reply = {
                "success": bool(result.get("success")),
                "error": result.get("error", ""),
                "log": (result.get("log") or "")[-4000:],
            }
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which carries on
            reply = {"success": False, "error": f"{type(exc).__name__}: {exc}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
