"""Named crash points for the crash tests.

A process started with ANXIN_CRASH_AT=<name> kills itself with SIGKILL the moment it reaches
that point, in the middle of whatever transaction is open, exactly as a power cut or an OOM kill
would. In every other process this is a dictionary lookup and nothing more.
"""

import os
import signal

_TARGET = os.environ.get("ANXIN_CRASH_AT", "")


def point(name: str) -> None:
    if _TARGET and _TARGET == name:
        os.kill(os.getpid(), signal.SIGKILL)
