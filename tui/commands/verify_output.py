"""What ``evault verify`` prints: the checks, the items, the question for the signer's digits and
the verdict, in paragraphs that fit an 80-column terminal.

Why wrapped here: a lawyer reads this in a terminal, often 80 columns wide, and the verdict is
the one paragraph that must be read whole; the terminal's own wrapping cut words in two
("de / fender"). Lines are filled to 79 columns at spaces, with a hanging indent under the
check's or item's text; a word longer than a line (a path, an id) is left whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.context import Context
from tui.paragraphs import fill
from tui.terminal_text import terminal_text
from vault import InvalidInput, _, ngettext, pgettext

if TYPE_CHECKING:
    from vault import VerifyResult


def unconfirmed(result: VerifyResult) -> bool:
    """Everything holds, but nobody compared the signer with the defender's fingerprint."""
    return result.intact and result.key_matched is None


def print_checks(result: VerifyResult, ctx: Context) -> None:
    out = ctx.out
    out.write(_("Bundle: {name}").format(name=terminal_text(result.bundle_name)) + "\n")
    made = _("bundle id {id}, made {time} (by the clock of the computer that made it)").format(
        id=terminal_text(result.bundle_id), time=terminal_text(result.created)
    )
    out.write(fill(made, first="  ", hang="  ") + "\n")
    if result.case:
        case = _("case: {case}").format(case=terminal_text(result.case))
        out.write(fill(case, first="  ", hang="    ") + "\n")
    if result.bundle_sha256:
        # What docs/lawyers.md §2 asks the lawyer to get from the defender ('evault export'
        # printed it): the same file, byte for byte, if the two are equal.
        out.write(
            "  "
            + _("SHA-256 of this file (compare it with the one the defender gave you):")
            + f"\n      {terminal_text(result.bundle_sha256)}\n"
        )
    out.write(
        "  "
        + _("The bundle says it was signed by the vault with this fingerprint:")
        + f"\n\n      {result.signer_fingerprint}\n\n"
    )
    # TRANSLATORS: the result of one check, at the start of its line; both words the same width
    # looks best ("passed" and "FAILED" are 6 letters each)
    passed, failed = _("passed"), pgettext("verify line", "FAILED")
    width = max(len(passed), len(failed))
    hang = " " * (width + 2)  # the lines after the first start under the check's name
    for check in result.checks:
        word = (passed if check.ok else failed).ljust(width)
        line = f"{terminal_text(check.shown_name())}: {terminal_text(check.shown_detail())}"
        out.write(fill(line, first=f"{word}  ", hang=hang) + "\n")
    out.write("\n")
    for item in result.items:
        label = f"{terminal_text(item.path)}  {terminal_text(item.title)}".rstrip()
        if item.ok:
            out.write(fill(label, first=f"{passed.ljust(width)}  ", hang=hang) + "\n")
            if item.existed_by:
                # TRANSLATORS: {time} is a UTC time, {tsa} the time-stamping authority's name
                existed = _("existed no later than {time} ({tsa})").format(
                    time=item.existed_by, tsa=terminal_text(item.existed_by_tsa or "")
                )
                out.write(fill(existed, first=hang, hang=hang) + "\n")
        else:
            problems = "; ".join(item.shown_problems())
            line = f"{label}: {terminal_text(problems)}"
            out.write(fill(line, first=f"{failed.ljust(width)}  ", hang=hang) + "\n")


def ask_for_the_digits(result: VerifyResult, ctx: Context) -> None:
    """On a terminal, offer to compare the signer with the defender's digits there and then."""
    from vault import confirm_signer  # noqa: PLC0415 - loaded only when used

    ctx.out.write(
        "\n"
        + fill(
            _(
                "Only the defender can tell you whose vault signed this. Type the 30 digits they "
                "gave you (in person, or on a call where you know their voice), or press Enter "
                "to skip."
            )
        )
        + "\n"
    )
    for _attempt in range(3):
        typed = ctx.ask(_("Digits: "))
        if not typed:
            return
        try:
            confirm_signer(result, typed)
        except InvalidInput as exc:
            ctx.out.write(f"{exc.message}\n")
            continue
        return


def print_verdict(result: VerifyResult, ctx: Context, file_name: str) -> None:
    out = ctx.out
    items = ngettext("{n} item", "{n} items", len(result.items)).format(n=len(result.items))
    checks = ngettext("{n} check", "{n} checks", len(result.checks)).format(n=len(result.checks))
    counts = _("all passed ({items}, {checks})").format(items=items, checks=checks)
    if result.ok:
        out.write(
            "\n"
            + fill(
                _(
                    "VERIFIED: {counts}, and the signer is the vault whose fingerprint you gave. "
                    "The files are exactly those that vault signed."
                ).format(counts=counts)
            )
            + "\n"
        )
    elif unconfirmed(result):
        out.write(
            "\n"
            + fill(
                _(
                    "FILES INTACT, SIGNER NOT CONFIRMED: {counts}, but that only shows that "
                    "whoever signed this bundle has not changed it since. Anyone can make such a "
                    "bundle with their own key. Compare these digits with the ones the defender "
                    "gave you over a channel you trust (in person, or a call where you know "
                    "their voice):"
                ).format(counts=counts)
            )
            + f"\n\n      {result.signer_fingerprint}\n\n"
            + fill(
                _("Then check again with: {command}").format(
                    command=f"evault verify {terminal_text(file_name)} --key "
                    + _('"<their digits>"')
                ),
                hang="    ",
            )
            + "\n"
        )
    elif result.key_matched is False:
        out.write(
            "\n"
            + fill(
                _(
                    "NOT VERIFIED: this bundle was NOT signed by the vault whose fingerprint you "
                    "gave. Do not rely on it; ask the defender about it over a channel you trust."
                )
            )
            + "\n"
        )
    else:
        failed = sum(1 for i in result.items if not i.ok)
        failed += sum(1 for c in result.checks if not c.ok)
        out.write(
            "\n"
            + fill(
                ngettext(
                    "NOT VERIFIED: {n} problem above. Do not rely on this bundle; ask the "
                    "defender to send it again.",
                    "NOT VERIFIED: {n} problems above. Do not rely on this bundle; ask the "
                    "defender to send it again.",
                    failed,
                ).format(n=failed)
            )
            + "\n"
        )
