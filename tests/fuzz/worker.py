"""The child process that runs inputs, and the parent's handle on it.

One worker runs many inputs (starting Python and creating a vault for each would cost more than
the input itself) and is replaced after every failure, so a failure never leaks state into the
next input. The protocol is a JSON line each way, on the worker's stdin and on a pipe of its own
(the code under test may print to stdout or stderr; neither is the protocol): the parent sends
``{"kind", "size"}`` and the bytes, the worker answers ``{"status", "summary", "detail"}``. An answer
that does not come within the timeout is a hang; a pipe that closes is a crash.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

STARTUP_SECONDS = 120.0  # importing the vault and creating the first vault on a busy machine


@dataclass(frozen=True)
class Outcome:
    status: str  # "ok", "fail" (exception or broken promise), "hang", "crash"
    summary: str = ""
    detail: str = ""


def summarize(exc: BaseException) -> str:
    """Exception type, message head and where it was raised: one line that groups failures."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/vault/" in f.filename or "/crypto/" in f.filename] or frames
    where = (
        f" at {Path(ours[-1].filename).name}:{ours[-1].lineno} ({ours[-1].name})" if ours else ""
    )
    message = str(exc).splitlines()[0][:120] if str(exc) else ""
    return f"{type(exc).__name__}: {message}{where}"


def child_main(argv: list[str]) -> int:
    """Worker process entry: ``python -m tests.fuzz.worker TARGET WORKDIR SHAREDDIR REPLYFD``."""
    target, work, shared, reply_fd = argv[0], Path(argv[1]), Path(argv[2]), int(argv[3])
    sys.dont_write_bytecode = True
    from tests.fuzz.targets import OracleFailure, Runner
    from vault.errors import EvaultError

    reply = os.fdopen(reply_fd, "w", encoding="utf-8")
    runner = Runner(target, work, shared)
    if target in ("images",):
        from vault.media import imaging  # noqa: F401 - loaded before the first input
    else:
        runner.run("txt", b"warm-up")  # imports the vault code and creates the vault
    reply.write(json.dumps({"status": "ready"}) + "\n")
    reply.flush()
    stdin = sys.stdin.buffer
    while header := stdin.readline():
        request = json.loads(header)
        data = stdin.read(request["size"])
        try:
            runner.run(request["kind"], data)
            outcome = {"status": "ok"}
        except OracleFailure as exc:
            outcome = {"status": "fail", "summary": f"OracleFailure: {exc}", "detail": str(exc)}
        except EvaultError as exc:  # only the image functions let one escape to here
            outcome = {
                "status": "fail",
                "summary": summarize(exc),
                "detail": traceback.format_exc(),
            }
        except BaseException as exc:
            outcome = {
                "status": "fail",
                "summary": summarize(exc),
                "detail": traceback.format_exc(),
            }
        reply.write(json.dumps(outcome) + "\n")
        reply.flush()
    return 0


class Worker:
    """The parent's side: start the child, send inputs, wait with a timeout, restart after trouble."""

    def __init__(self, target: str, work: Path, shared: Path, timeout: float) -> None:
        self.target, self.work, self.shared, self.timeout = target, work, shared, timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.reply_fd = -1
        self.buffer = b""
        self.starts = 0

    def start(self) -> None:
        self.stop()
        self.starts += 1
        work = self.work / f"worker-{self.starts}"
        work.mkdir(parents=True)
        read_fd, write_fd = os.pipe()
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        args = [self.target, str(work), str(self.shared), str(write_fd)]
        self.stderr_path = work / "stderr.txt"
        with self.stderr_path.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tests.fuzz.worker", *args],
                stdin=subprocess.PIPE,
                stdout=err,
                stderr=err,
                pass_fds=(write_fd,),
                env=env,
            )
        os.close(write_fd)
        self.reply_fd, self.buffer = read_fd, b""
        ready = self._answer(STARTUP_SECONDS)
        if ready.status != "ready":
            raise RuntimeError(f"the {self.target} worker did not start: {ready}")

    def run(self, kind: str, data: bytes) -> Outcome:
        if self.proc is None:
            self.start()
        assert self.proc is not None and self.proc.stdin is not None
        try:
            header = json.dumps({"kind": kind, "size": len(data)}).encode() + b"\n"
            self.proc.stdin.write(header + data)
            self.proc.stdin.flush()
        except BrokenPipeError:
            outcome = self._crashed()
        else:
            outcome = self._answer(self.timeout)
        if outcome.status != "ok":
            self.stop()  # a fresh worker for the next input
        return outcome

    def _answer(self, timeout: float) -> Outcome:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return Outcome("hang", f"no answer within {timeout:g} s", self._stderr_tail())
            ready, _, _ = select.select([self.reply_fd], [], [], left)
            if ready:
                chunk = os.read(self.reply_fd, 65536)
                if not chunk:
                    return self._crashed()
                self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        answer = json.loads(line)
        return Outcome(answer["status"], answer.get("summary", ""), answer.get("detail", ""))

    def _crashed(self) -> Outcome:
        code = self.proc.wait(timeout=30) if self.proc is not None else None
        return Outcome("crash", f"worker died (exit status {code})", self._stderr_tail())

    def _stderr_tail(self) -> str:
        try:
            return self.stderr_path.read_text("utf-8", "replace")[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            if self.proc.stdin is not None:
                with contextlib.suppress(OSError):  # unsent bytes to a dead worker
                    self.proc.stdin.close()
            self.proc = None
        if self.reply_fd >= 0:
            os.close(self.reply_fd)
            self.reply_fd = -1
        for old in self.work.glob("worker-*"):
            shutil.rmtree(old, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
