"""A pager for a report taller than the terminal.

The pager is $PAGER when set, else ``less`` showing colour (-R), leaving its last page on the
screen when it ends (-X), with a prompt that says how to move and how to finish.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess

from mesoguide.i18n import N_, _

# whole at 40 columns (less keeps 38), in every language; no ? : . % \ (less prompt syntax)
LESS_PROMPT = N_("Space reads on, b back, q finishes")


def page(text: str) -> bool:
    """Show ``text`` through the pager; False when there is none to run."""
    command = shlex.split(os.environ.get("PAGER", ""))
    if not command:
        less = shutil.which("less")
        if less is None:
            return False
        command = [less, "-R", "-X", f"-Ps{_(LESS_PROMPT)}"]
    # Ctrl-C belongs to the pager while it runs (less ignores it; we must not die under it).
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        subprocess.run(command, input=text.encode(), check=False)
    except OSError:
        return False
    finally:
        signal.signal(signal.SIGINT, previous)
    return True
