"""The hhverify command line (contract §6). Commands are thin: they parse options and call
the package that does the work."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="居民家庭经济状况核对 — household economic-status cross-verification.",
                  no_args_is_help=True, add_completion=False)
console = Console()


def _root(root: Optional[Path]) -> Path:
    return Path(root or os.environ.get("HHVERIFY_ROOT") or "data")


def _date(text: Optional[str]) -> Optional[date]:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date; use YYYY-MM-DD, e.g. 2026-11-28")


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
        rolls: bool = typer.Option(True, help="Re-verify every household on the current rolls."),
        prefect: bool = typer.Option(True, help="Run as a Prefect flow (one task per stage)."),
        kind: str = typer.Option("manual", help="Run kind recorded in `runs`: manual, nightly, on_demand.")):
    """One pass: load new files, verify new requests and the rolls, write outbox/.

    Example: hhverify run --root data
    """
    root = _root(root)
    if not root.is_dir():
        raise typer.BadParameter(f"data root {root} does not exist; create it or run `hhverify generate --root {root}`")
    if prefect:
        from pipelines.flows import verification_pass
        summary = verification_pass(str(root), as_of=as_of, kind=kind, include_rolls=rolls)
    else:
        from pipelines.passes import run_pass
        summary = run_pass(root, as_of=_date(as_of), kind=kind, include_rolls=rolls)
    _print_summary(root, summary)


def _print_summary(root: Path, s: dict) -> None:
    t = Table(title=f"pass {s['run_id']} — {s['status']}", show_header=False)
    for label, key in (("files loaded", "files_loaded"), ("files skipped (already loaded)", "files_skipped"),
                       ("files rejected", "files_rejected"), ("rows loaded", "rows_loaded"),
                       ("rows quarantined", "rows_quarantined"), ("households verified", "households_verified"),
                       ("reports written", "reports_written"), ("findings fail / warn / info", None),
                       ("wall time", "wall_seconds")):
        value = (f"{s['findings_fail']} / {s['findings_warn']} / {s['findings_info']}" if key is None
                 else f"{s[key]} s" if key == "wall_seconds" else str(s[key]))
        t.add_row(label, value)
    console.print(t)
    for m in s.get("messages") or []:
        console.print(f"[yellow]note:[/] {m}")
    console.print(f"reports: [bold]{(root / 'outbox').resolve()}[/]")


@app.command()
def sql(query: str = typer.Argument(..., help="A SELECT statement."), root: Optional[Path] = RootOpt):
    """Run an analyst query against the warehouse and print the result.

    Example: hhverify sql --root data "SELECT outcome, count(*) FROM household_assessment GROUP BY 1"
    """
    import duckdb

    path = _root(root) / "warehouse.duckdb"
    if not path.exists():
        raise typer.BadParameter(f"no warehouse at {path}: run `hhverify run --root {_root(root)}` first")
    con = duckdb.connect(str(path), read_only=True)
    try:
        res = con.execute(query)
        cols = [c[0] for c in res.description]
        rows = res.fetchall()
    finally:
        con.close()
    t = Table(*cols)
    for r in rows:
        t.add_row(*["" if v is None else str(v) for v in r])
    console.print(t)


if __name__ == "__main__":
    app()
