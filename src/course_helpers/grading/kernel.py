"""Which kernel manager runs a member's notebook during autograding: the one seam the sandbox plugs into.

The course's Execute step (``preprocessors.SafeExecute``) asks :func:`kernel_manager_class` for the class
that starts each kernel.  By default that is jupyter_client's ``AsyncKernelManager`` (what nbgrader uses).
When ``course_helpers/grading/sandbox.py`` (the bubblewrap sandbox) is present and says the machine can
sandbox (``available()``), its ``kernel_manager_class()`` -- or else its ``SandboxedKernelManager`` -- is used
instead.  ``COURSE_GRADING_SANDBOX=0`` (the autograde command's ``--unsandboxed``) grades without it.
"""

from __future__ import annotations

import importlib
import os


def _sandbox():
    if os.environ.get("COURSE_GRADING_SANDBOX", "1") == "0":
        return None
    try:
        return importlib.import_module("course_helpers.grading.sandbox")
    except ModuleNotFoundError as exc:
        if exc.name != "course_helpers.grading.sandbox":
            raise
        return None


def sandbox_status() -> tuple[bool, str]:
    """(whether kernels will be sandboxed, why not when they will not)."""
    if os.environ.get("COURSE_GRADING_SANDBOX", "1") == "0":
        return False, "grading without the sandbox (COURSE_GRADING_SANDBOX=0 or --unsandboxed)"
    module = _sandbox()
    if module is None:
        return False, "the sandbox module (course_helpers/grading/sandbox.py) is not installed"
    if hasattr(module, "available"):
        return module.available()
    return True, ""


def kernel_manager_class() -> type:
    ok, _ = sandbox_status()
    module = _sandbox() if ok else None
    if module is not None and hasattr(module, "kernel_manager_class"):
        return module.kernel_manager_class()
    if module is not None and hasattr(module, "SandboxedKernelManager"):
        return module.SandboxedKernelManager
    from jupyter_client.manager import AsyncKernelManager

    return AsyncKernelManager


def configure(c) -> None:
    """Room for kernel settings in the nbgrader config; the kernel class itself is chosen by SafeExecute."""
