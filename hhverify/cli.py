"""The hhverify command line (contract §6). Commands are thin: they parse options and call
the package that does the work."""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="居民家庭经济状况核对 — household economic-status cross-verification.",
                  no_args_is_help=True, add_completion=False)
console = Console()
errors = Console(stderr=True)


def _root(root: Optional[Path]) -> Path:
    return Path(root or os.environ.get("HHVERIFY_ROOT") or "data")


def _date(text: Optional[str]) -> Optional[date]:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date; use YYYY-MM-DD, e.g. 2026-11-28")


RUN_KINDS = ("nightly", "on_demand")
"""The values of `runs.kind` (contract §5)."""

RootOpt = typer.Option(None, "--root", help="Data root (default: $HHVERIFY_ROOT, then data/).")


@app.command()
def generate(root: Optional[Path] = RootOpt,
             households: int = typer.Option(2000, help="Applicant households to generate."),
             seed: int = typer.Option(7, help="Random seed: the same seed writes the same files."),
             as_of: Optional[str] = typer.Option(None, help="Request date YYYY-MM-DD (default: today)."),
             truth: Optional[Path] = typer.Option(None, help="Where the ground truth goes (default: <root>-truth).")):
    """Write a synthetic province (landing exports, rolls, inbox requests) into ROOT.

    Example: hhverify generate --root data --households 200 --seed 1
    """
    from data.generator import generate as gen
    from pipelines.context import today_shanghai

    root = _root(root)
    with console.status(f"generating {households} households into {root} …"):
        summary = gen(root, households=households, seed=seed, as_of=_date(as_of) or today_shanghai(),
                      truth_dir=truth)
    console.print(f"[green]wrote[/] a province of {households} households into [bold]{root}[/]; "
                  f"truth in {summary.get('truth_dir')}")


@app.command()
def run(root: Optional[Path] = RootOpt,
        as_of: Optional[str] = typer.Option(None, help="Request date of this pass YYYY-MM-DD (default: today, Asia/Shanghai)."),
        rolls: bool = typer.Option(True, help="Compare the households on the current rolls and write change alerts "
                                              "to outbox/<agency>/nightly-<date>/."),
        full: bool = typer.Option(False, help="Re-verify every household on the rolls, not only those new data "
                                              "could change."),
        prefect: bool = typer.Option(True, help="Run as a Prefect flow (one task per stage)."),
        kind: Optional[str] = typer.Option(None, help="Run kind recorded in `runs` (contract §5: nightly or "
                                                      "on_demand); default: nightly, or on_demand with --no-rolls."),
        policy: Optional[Path] = typer.Option(None, help="County policy YAML to apply (default: $HHVERIFY_POLICY, "
                                                         "then the shipped assessment/policies/shanxi.yaml).")):
    """One pass: load new files, verify new requests and the rolls, write outbox/ and the analyst copy.

    Example: hhverify run --root data
    """
    from pipelines.progress import listening

    root = _root(root)
    if not root.is_dir():
        raise typer.BadParameter(f"data root {root} does not exist; create it or run `hhverify generate --root {root}`")
    if kind is not None and kind not in RUN_KINDS:
        # `runs.kind` is what analysts group run history by (contract §5); free text splits it
        raise typer.BadParameter(f"--kind {kind!r} is not a run kind; accepted: {' or '.join(RUN_KINDS)} "
                                 "(nightly: a pass that verifies the rolls; on_demand: an inbox-only pass), "
                                 "or leave it out to have it follow --rolls / --no-rolls")
    day = _date(as_of)
    from assessment.policy import PolicyError, load_policy
    from pipelines.context import POLICY_ENV, BackdatedPass, today_shanghai
    if day is not None and day > today_shanghai():
        # a year mistyped (2027 for 2026) judged the rolls on months nobody had delivered, and every
        # pass after it, serve's too, was refused as backdated until the calendar caught up (a README probe)
        raise typer.BadParameter(f"--as-of {day} is after today ({today_shanghai()}, Asia/Shanghai): a pass "
                                 "cannot be dated in the future (it would judge months no department has "
                                 "delivered, and refuse every pass dated before it); use today or an earlier day")
    from pipelines.storage import EXIT_STORAGE, storage_message, storage_problem
    from warehouse import WarehouseBusy

    policy = policy.resolve() if policy else (Path(os.environ[POLICY_ENV]) if os.environ.get(POLICY_ENV) else None)
    try:   # checked before the pass starts, so nothing is half done for a typo in the policy
        load_policy(policy)
    except (PolicyError, OSError) as exc:
        console.print(f"Error: {_shown(exc)}", soft_wrap=True)
        raise typer.Exit(2)

    try:
        with _progress_bars() as show, listening(show):
            if prefect:
                from pipelines.flows import verification_pass
                summary = verification_pass(str(root), as_of=as_of and day.isoformat(), kind=kind,
                                            include_rolls=rolls, full=full, policy=policy and str(policy))
            else:
                from pipelines.passes import run_pass
                summary = run_pass(root, as_of=day, kind=kind, include_rolls=rolls, full=full, policy_path=policy)
    except WarehouseBusy as exc:   # an operator's problem, not the code's: no traceback
        console.print(f"Error: {_shown(exc)}", soft_wrap=True)
        raise typer.Exit(1)
    except BackdatedPass as exc:
        console.print(f"Error: {_shown(exc)}", soft_wrap=True)
        raise typer.Exit(2)
    except Exception as exc:
        problem = storage_problem(exc)
        if problem is None:
            raise
        console.print(f"Error: {_shown(storage_message(root.resolve(), problem))}", soft_wrap=True)
        raise typer.Exit(EXIT_STORAGE)
    _print_summary(root, summary)


@contextmanager
def _progress_bars():
    """A listener for pass events drawing rich progress bars; silent when not on a terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bars = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal)
    tasks: dict = {}

    def show(event: str, **info) -> None:
        if event == "waiting":
            holder = _shown(info.get('holder') or 'another process')
            bars.console.print(f"[yellow]waiting[/] for the pass in progress ({holder})")
        elif event == "stage":
            if "stages" not in tasks:
                tasks["stages"] = bars.add_task("pass", total=info["total"] + 1)
            bars.update(tasks["stages"], completed=info["index"], description=f"pass: {info['name']}")
        elif event == "reports":
            if "reports" not in tasks:
                tasks["reports"] = bars.add_task("reports", total=info["total"])
            bars.update(tasks["reports"], completed=info["done"])

    with bars:
        yield show


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _shown(text: object) -> str:
    """Text that came from files or folders, printed as it is: its rich markup escaped (a hostile-input
    probe's household `[/red]` stopped the summary with a MarkupError, exit 1, and `[link=…]` made a
    file name a link) and its control characters shown as escapes (an ESC in a file name recoloured,
    or retitled, the operator's terminal)."""
    from rich.markup import escape

    return escape(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text)))


def _print_summary(root: Path, s: dict) -> None:
    t = Table(title=f"pass {s['run_id']} — {s['status']}", show_header=False)
    rows = (("files loaded", "files_loaded"), ("files skipped (already loaded)", "files_skipped"),
            ("files rejected", "files_rejected"), ("rows loaded", "rows_loaded"),
            ("rows quarantined", "rows_quarantined"), ("households verified", "households_verified"),
            ("rolls compared", "rolls"), ("rolls households unchanged (not re-verified)", "households_unchanged"),
            ("rolls households changed (alerts)", "households_changed"), ("change alerts", "alerts"),
            ("reports written", "reports_written"), ("findings fail / warn / info", None),
            ("wall time", "wall_seconds"), ("analyst snapshot", "snapshot"))
    for label, key in rows:
        if key is None:
            t.add_row(label, f"{s['findings_fail']} / {s['findings_warn']} / {s['findings_info']}")
        elif s.get(key) is not None:
            t.add_row(label, f"{s[key]} s" if key == "wall_seconds" else _shown(s[key]))
    console.print(t)
    for m in s.get("messages") or []:
        console.print(f"[yellow]note:[/] {_shown(m)}")
    console.print(f"reports: [bold]{_shown((root / 'outbox').resolve())}[/]")


@app.command()
def serve(root: Optional[Path] = RootOpt,
          cron: Optional[str] = typer.Option(None, envvar="HHVERIFY_NIGHTLY_CRON",
                                             help="When the nightly pass runs, as cron (minute hour day month "
                                                  "weekday); default 0 2 * * * (02:00)."),
          timezone: Optional[str] = typer.Option(None, envvar="HHVERIFY_NIGHTLY_TZ",
                                                 help="Time zone of --cron; default Asia/Shanghai."),
          name: Optional[str] = typer.Option(None, help="Label of the Prefect deployments (default: the root folder's name).")):
    """Stay up: answer inbox requests within seconds of their arrival, run the nightly pass on schedule.

    The schedule needs a Prefect server: run `prefect server start --host 127.0.0.1`, export
    PREFECT_API_URL=http://127.0.0.1:4200/api, and watch the runs at http://127.0.0.1:4200.
    Without it, serve answers the inbox and says that nothing is scheduled. Stop with SIGTERM or
    Ctrl-C: the pass in progress finishes first.

    Example: hhverify serve --root data --cron "30 1 * * *"
    """
    from pipelines.locks import LockBusy
    from pipelines.serve import nightly_schedule
    from pipelines.serve import serve as serve_root

    root = _root(root)
    if not root.is_dir():
        raise typer.BadParameter(f"data root {root} does not exist; create it or run `hhverify generate --root {root}`")
    try:
        cron, timezone = nightly_schedule(cron, timezone)
    except ValueError as exc:
        raise typer.BadParameter(f"--cron {cron or 'default'!r} / --timezone {timezone or 'Asia/Shanghai'!r}: {exc}")
    try:
        code = serve_root(root, cron=cron, timezone=timezone, label=name)
    except LockBusy as exc:
        pid = exc.holder.split(",")[0].removeprefix("pid ").strip() or "?"
        console.print(f"Error: another hhverify serve is already serving {root.resolve()} ({exc.holder}). "
                      f"Stop it first (kill -TERM {pid}); one serve per data root.", soft_wrap=True)
        raise typer.Exit(1)
    except RuntimeError as exc:
        console.print(f"Error: {_shown(exc)}", soft_wrap=True)
        raise typer.Exit(1)
    raise typer.Exit(code)


# ignore_unknown_options: a query opening with a SQL comment ("-- outcomes by county", as the
# README's do) starts with "--" and would otherwise be refused as an unknown option
@app.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
def sql(ctx: typer.Context,
        query: str = typer.Argument(..., help="SQL: one SELECT, or several separated by ';' (each result is "
                                              "printed, in order). May open with a -- comment."),
        root: Optional[Path] = RootOpt,
        csv: bool = typer.Option(False, "--csv", help="Print CSV instead of a table (several results: "
                                                      "separated by an empty line).")):
    """Query the last completed pass: the analyst copy (analyst.duckdb), never blocked by a pass.

    ID numbers there are pseudonymous person keys. The query reads the copy's tables and nothing
    else: reading or writing other files, ATTACH, INSTALL/LOAD and SET are refused (exit 2). Any
    DuckDB client can open the same file read-only: duckdb -readonly DIR/analyst.duckdb

    Example: hhverify sql --root data "SELECT outcome, count(*) FROM household_assessment GROUP BY 1"
    """
    from rich.markup import escape

    from pipelines.snapshot import ANALYST_DB, QueryError, query_copy

    if re.fullmatch(r"--?[A-Za-z][\w-]*", query.strip()):
        # a mistyped option taken for the query (a README probe's --rot read "unexpected extra argument data")
        raise typer.BadParameter(f"no such option: {query.strip()} (options: --root, --csv); a query that opens "
                                 "with a SQL comment needs a space after the dashes: \"-- note\"")
    if ctx.args:
        raise typer.BadParameter(f"unexpected argument(s) after the query: {' '.join(ctx.args)}; put the whole "
                                 "query in one pair of quotes, options before it")
    path = _root(root) / ANALYST_DB
    if not _root(root).is_dir():   # (not "run hhverify run --root X first", which fails the same way)
        raise typer.BadParameter(f"data root {_root(root)} does not exist; give the folder a pass runs on "
                                 "(--root, or $HHVERIFY_ROOT)")
    if not path.exists():
        from pipelines.locks import PASS_LOCK, holder_alive

        running = holder_alive(_root(root) / PASS_LOCK)
        raise typer.BadParameter(f"no analyst copy at {path} yet: it is published after every completed pass; "
                                 + ("a pass is running now, ask again when it completes" if running
                                    else f"run `hhverify run --root {_root(root)}` first"))
    try:
        results = query_copy(path, query)
    except QueryError as exc:
        errors.print(f"Error: {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(2)
    shown = [(statement, cols, rows) for statement, cols, rows in results if cols]
    if csv:
        import csv as csvlib
        import sys

        w = csvlib.writer(sys.stdout)
        for i, (_, cols, rows) in enumerate(shown):
            if i:
                sys.stdout.write("\r\n")  # csv.writer ends rows with \r\n: one empty line between results
            w.writerow(cols)
            w.writerows(rows)
        return
    for statement, cols, rows in shown:
        # with several results, each is titled by its statement's first line (the README's: its comment)
        title = escape(statement.splitlines()[0][:120]) if len(shown) > 1 else None
        t = Table(*[escape(c) for c in cols], title=title)
        for r in rows:
            t.add_row(*["" if v is None else escape(str(v)) for v in r])  # data, not rich markup
        console.print(t)


@app.command()
def review(root: Optional[Path] = RootOpt,
           agency: Optional[str] = typer.Option(None, "--agency", help="Only this agency's questions (inbox folder name).")):
    """List the open review queue: uncertain matches no caseworker has confirmed or denied yet.

    Reads the analyst copy ROOT/analyst.duckdb (the last completed pass) when it exists, so it
    never waits for or blocks a pass; otherwise the live warehouse, read-only, which fails
    while a pass runs. Answer the questions in outbox/<agency>/<request>/review.xlsx and drop
    the filled sheet into inbox/<agency>/.

    Example: hhverify review --root data --agency taiyuan
    """
    from rich.markup import escape

    from reports.formatting import percent, source_label
    from review.queue import QueueUnavailable, read_queue

    root = _root(root)
    try:
        path, rows = read_queue(root, agency)
        # an empty table said nothing of a mistyped agency name (an operations probe)
        known = sorted({p.name for folder in ("inbox", "outbox") if (root / folder).is_dir()
                        for p in (root / folder).iterdir() if p.is_dir() and not p.name.startswith(".")}
                       | ({r["agency"] for r in read_queue(root, None)[1]} if agency and not rows else set()))
    except QueueUnavailable as exc:
        console.print(f"Error: {_shown(exc)}", soft_wrap=True)
        raise typer.Exit(1)
    if agency and not rows and agency not in known:
        console.print(f"Error: no agency {agency!r} under {root}/inbox or outbox, nor in the review queue; "
                      f"agencies: {', '.join(known) or 'none yet'}", soft_wrap=True)
        raise typer.Exit(1)
    t = Table(title=f"open review queue — {len(rows)} question(s){f' of {agency}' if agency else ''}",
              caption=f"from {path.name}")
    for name in ("agency", "request", "household", "member", "source", "record"):
        t.add_column(name, overflow="fold")
    t.add_column("probability", justify="right", overflow="fold")
    t.add_column("summary", overflow="fold", ratio=1)
    for r in rows:
        summary = ("【上次复核：无法确定】" if r["last_decision"] == "undetermined" else "") + (r["summary"] or "")
        cells = (r["agency"], r["request_id"], r["household_id"], f"{r['member_no']} {r['member_name'] or ''}".strip(),
                 source_label(r["source"]), r["record_id"], percent(r["match_probability"]), summary)
        t.add_row(*[escape(str(c or "")) for c in cells])  # data, not rich markup
    console.print(t)


if __name__ == "__main__":
    app()
