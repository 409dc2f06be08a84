"""Proof of time in words, shared by the command line and the app (issue 17).

The instructions printed after writing a request are the same in both: whoever follows them on an
online computer must get exactly the commands the user guide describes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tui.context import PROG
from tui.render import readable_time
from tui.terminal_text import terminal_text
from vault import _

if TYPE_CHECKING:
    from vault import TimestampRequest, TimestampToken

EXAMPLE_TSA = "https://freetsa.org/tsr"


def request_instructions(out: Path, head_seq: int, *, in_app: bool = False) -> str:
    """What to run on an online computer, and how to bring the answer back (``in_app``: by the
    screen's second part, not by a command the defender would have to type)."""
    answer = out.with_suffix(".tsr").name
    if in_app:
        back = _(
            "(Any public time-stamping authority will do: the user guide lists some.) Bring "
            '{answer} back and load it below, under "2. Load the answer", with the authority\'s '
            "certificate the first time."
        ).format(answer=answer)
    else:
        back = _(
            "(Any public time-stamping authority will do: the user guide lists some.) Bring "
            "{answer} back and run: {prog} timestamp add {answer} --ca THE_AUTHORITY_CERTIFICATES.pem"
        ).format(answer=answer, prog=PROG)
    return (
        _(
            "Request written: {path}\n"
            "It covers the custody log up to event {seq}. Carry it to any computer that is online "
            "and run, in the same folder:"
        ).format(path=out, seq=head_seq)
        + "\n\n"
        + f"  curl -H 'Content-Type: application/timestamp-query' --data-binary @{out.name} "
        + f"{EXAMPLE_TSA} -o {answer}\n\n"
        + back
    )


def token_kept(token: TimestampToken) -> str:
    """The sentence said once an answer is checked and kept."""
    return _(
        "Proof of time kept: {tsa} confirms that the custody log up to event {seq}, and so "
        "every item in it, existed no later than {time}."
    ).format(tsa=terminal_text(token.tsa), seq=token.head_seq, time=token.gen_time)


def token_line(token: TimestampToken) -> str:
    return _("{time}  {tsa}: the custody log up to event {seq}").format(
        time=token.gen_time, tsa=terminal_text(token.tsa), seq=token.head_seq
    )


def pending_line(request: TimestampRequest) -> str:
    return _("waiting for an answer: request of {time}, up to event {seq}").format(
        time=request.created[:19] + "Z", seq=request.head_seq
    )


def item_proof_line(token: TimestampToken | None) -> str:
    """The item view's one line: the earliest proof of time covering the item, if any."""
    if token is None:
        return _("No proof of time yet for this item.")
    # TRANSLATORS: {time} is a UTC time, {authority} the time-stamping authority's name.
    return _("Existed no later than {time} ({authority}).").format(
        time=readable_time(token.gen_time), authority=terminal_text(token.tsa)
    )
