"""`hhverify serve`: the inbox watcher and the nightly schedule, in one long-running process.

Design, and why:

- **Inbox drops: a watchfiles loop in this process** (`pipelines.watch`) runs an inbox-only
  pass in-process within a second of a rename; a Prefect deployment trigger would take 7–15 s.
  When a Prefect server is configured the watcher runs the pass as the `verification-pass` flow
  (in-process, ~1 s of Prefect overhead), so on-demand runs show in the UI too.
- **Nightly: a Prefect deployment with a cron schedule** (Asia/Shanghai, 02:00 by default),
  served by this process through a Prefect `Runner` (`pipelines.flows.deployment_specs`; an
  unscheduled `<label>-inbox` deployment sits beside it for manual runs from the UI).
  Schedules live on a Prefect server: with no `PREFECT_API_URL`, Prefect would start a
  temporary server that refuses schedules, so serve says so and runs the watcher alone. The
  Runner executes a scheduled run in a subprocess.
- **One pass at a time.** DuckDB admits one process per file, and the watcher (a thread here)
  and the nightly (a subprocess) both write the warehouse: every pass takes the pass lock
  (`pipelines.locks`), so they queue, never collide.
- **One serve per root.** `<root>/.hhverify-serve.lock` (flock, released by the kernel however
  the process ends); a second serve is refused with the holder's pid.
- **SIGTERM / SIGINT: finish, then stop.** The watcher stops taking events and finishes its
  pass; the Runner takes no more scheduled runs and serve waits for a nightly run in progress;
  then, holding the pass and snapshot locks (so nothing is half-published), it stops the Runner
  (which pauses the deployments) and exits 0. Under systemd use `KillMode=mixed`, so the nightly subprocess is not signalled too.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pipelines.locks import pass_lock, serve_lock, snapshot_lock
from warehouse.connection import TIME_ZONE
from pipelines.watch import InboxWatcher


def log(message: str) -> None:
    # Shanghai time, as the run ids and the warehouse keep it (an operations probe read a UTC stamp
    # beside a run id eight hours later on one line)
    stamp = datetime.now(ZoneInfo(TIME_ZONE)).isoformat(timespec="seconds")
    print(f"{stamp} hhverify serve: {message}", flush=True)


def prefect_api_url() -> str | None:
    """The configured Prefect API, if any (None: Prefect would start a temporary server)."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or None


def check_server(url: str) -> None:
    """Raise RuntimeError unless the Prefect API at `url` answers its health check."""
    import httpx

    try:
        httpx.get(url.rstrip("/") + "/health", timeout=5).raise_for_status()
    except Exception as exc:  # noqa: BLE001 - any failure means the same thing to the operator
        raise RuntimeError(f"PREFECT_API_URL is {url} but no Prefect server answers there ({exc}). Start one "
                           "with `prefect server start --host 127.0.0.1`, or unset PREFECT_API_URL to run "
                           "the inbox watcher without the nightly schedule.") from exc


def interrupted_nightly(root: Path) -> str | None:
    """When the latest nightly pass started (as text) if it never completed and none has since: a serve
    killed during it left the rolls unverified until the next schedule, a day later at 02:00, though
    the start-up pass said it had done the rest (an operations probe's)."""
    import duckdb

    if not (root / "warehouse.duckdb").exists():
        return None
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        row = con.execute("SELECT status, started_at FROM runs WHERE kind = 'nightly' "
                          "ORDER BY started_at DESC LIMIT 1").fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return f"{row[0][1]:%Y-%m-%d %H:%M}" if row and row[0][0] in ("running", "interrupted") else None


def _answers(url: str | None) -> bool:
    try:
        check_server(url or "")
    except RuntimeError:
        return False
    return bool(url)


async def label_clash(specs: dict, root: Path) -> str | None:
    """Why this root cannot take the deployments' label: another root's, still on disk, serves under it.

    The label defaults to the root folder's name, and every county's may be `data`: an operations
    probe's second root took the first's nightly deployment over, silently, and paused it on stopping."""
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound

    name = f"verification-pass/{specs['nightly']['name']}"
    async with get_client() as client:
        try:
            other = ((await client.read_deployment_by_name(name)).parameters or {}).get("root")
        except ObjectNotFound:
            return None
    if not other or Path(other).resolve() == Path(root).resolve() or not Path(other).exists():
        return None     # its own, or a root since moved here
    return (f"the Prefect deployment {name} already serves another data root, {other}: each root needs a "
            f"label of its own. Start serve again with --name LABEL (e.g. --name {Path(root).parent.name}-"
            f"{Path(root).name})")


def nightly_schedule(cron: str | None, timezone: str | None) -> tuple[str, str]:
    """The schedule (defaults filled in); ValueError with Prefect's explanation when it is invalid."""
    from prefect.client.schemas.schedules import CronSchedule

    from pipelines.flows import DEFAULT_CRON, DEFAULT_TIMEZONE

    cron, timezone = cron or DEFAULT_CRON, timezone or DEFAULT_TIMEZONE
    try:
        CronSchedule(cron=cron, timezone=timezone)
    except ValueError as exc:   # pydantic's dump named the defaults as None (an operations probe)
        said = "; ".join(str(e.get("msg", e)).removeprefix("Value error, ") for e in getattr(exc, "errors", lambda: [])()) \
            or str(exc)
        raise ValueError(f"{said} (cron: five fields, minute hour day month weekday, e.g. '30 1 * * *'; "
                         f"time zone: an IANA name, e.g. {DEFAULT_TIMEZONE})") from exc
    return cron, timezone


class NightlySchedule:
    """A Prefect Runner serving the nightly and inbox deployments, on its own thread and loop.

    Started off the main thread, the Runner installs no SIGTERM handler of its own: stopping is
    decided by `serve`, after the pass in progress.
    """

    def __init__(self, root: Path, *, cron: str, timezone: str, label: str | None):
        self.root, self.cron, self.timezone, self.label = root, cron, timezone, label
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.runner = None
        self._thread = threading.Thread(target=self._run, name="prefect-runner", daemon=True)

    def start(self, timeout: float = 120) -> None:
        self._thread.start()
        self.ready.wait(timeout)
        if self.error:
            raise RuntimeError(f"could not serve the Prefect deployments: {self.error}") from self.error

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            self.error = exc
            self.ready.set()

    async def _main(self) -> None:
        from prefect.runner import Runner

        from pipelines.flows import deployment_specs, verification_pass

        specs = deployment_specs(self.root, cron=self.cron, timezone=self.timezone, label=self.label)
        if clash := await label_clash(specs, self.root):
            raise RuntimeError(clash)
        # pause_on_shutdown: a stopped serve leaves no runs piling up as Late; `paused=False` resumes on start
        self.runner = Runner(name=f"hhverify-{specs['nightly']['tags'][1]}", pause_on_shutdown=True)
        for spec in specs.values():
            await self.runner.aadd_flow(verification_pass, **spec)
        self.names = [f"verification-pass/{s['name']}" for s in specs.values()]
        self.ready.set()
        await self.runner.start()

    def drain(self, poll: float = 0.5) -> None:
        """Take no more scheduled runs; wait for the runs in progress (subprocesses) to end.

        Prefect 3 has no public "drain": this sets the poller's stop flag and watches the
        process manager, and does nothing where those internals are missing; `stop` is then
        still called under the pass lock, so at worst a run that had not begun its pass is cancelled.
        """
        poller = getattr(self.runner, "_scheduled_run_poller", None)
        if poller is not None:
            poller.stopping = True
        processes = getattr(self.runner, "_process_manager", None)
        told = False
        while processes is not None and processes.flow_run_count():
            if not told:
                log("waiting for the nightly run in progress to finish")
                told = True
            time.sleep(poll)

    def stop(self, timeout: float = 60) -> None:
        if self.runner is not None and self.runner.started:
            self.runner.execute_in_background(self.runner.astop).result(timeout)
        self._thread.join(timeout)


def _inbox_pass(root: Path, with_prefect: bool) -> Callable[[], dict]:
    def run() -> dict:
        # the analyst copy is published on a thread: the next drop never waits for it. Department
        # files already waiting in landing/ are loaded first: an operations probe's request was
        # answered "税务数据从未报送" beside a tax export that had arrived, and never corrected (the
        # nightly reads what was loaded since it last ran, so it still re-verifies the rolls on them)
        if with_prefect and _answers(prefect_api_url()):
            from pipelines.flows import verification_pass
            return verification_pass(str(root), kind="on_demand", include_rolls=False, landing=True,
                                     snapshot_mode="background")
        if with_prefect:   # agencies' requests do not wait for the UI's server (an operations probe's did, 2 min)
            log("the Prefect server does not answer: this inbox pass runs without it (not shown in its UI)")
        from pipelines.passes import run_pass
        return run_pass(root, kind="on_demand", include_rolls=False, landing=True, snapshot_mode="background")
    return run


def _warm_up() -> None:
    """Import what the first drop would otherwise wait for (GX renders the quality pages: 3–4 s cold)."""
    for name in ("pipelines.passes", "great_expectations"):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - warming is an optimisation only
            pass


def serve(root: Path, *, cron: str | None = None, timezone: str | None = None, label: str | None = None,
          poll_seconds: float = 5.0) -> int:
    """Serve until SIGTERM/SIGINT; returns the exit status.

    Raises ValueError for an invalid schedule, LockBusy when a serve already holds the root, and
    RuntimeError when the configured Prefect server does not answer.
    """
    root = Path(root).resolve()
    cron, timezone = nightly_schedule(cron, timezone)
    with serve_lock(root):
        stop = threading.Event()

        def on_signal(signum, _frame):
            if not stop.is_set():
                log(f"{signal.Signals(signum).name} received: finishing the pass in progress, then stopping")
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        url = prefect_api_url()
        schedule = None
        if url:
            check_server(url)
            schedule = NightlySchedule(root, cron=cron, timezone=timezone, label=label)
            schedule.start()
            log(f"nightly pass scheduled '{cron}' ({timezone}) as {schedule.names[0]} on {url}; "
                f"watch runs at {url.removesuffix('/api')}")
        else:
            log("PREFECT_API_URL is not set, so the nightly pass is NOT scheduled: schedules need a Prefect "
                "server (the temporary one refuses them). Start one with `prefect server start --host 127.0.0.1` "
                "and export PREFECT_API_URL=http://127.0.0.1:4200/api, then restart serve; or run "
                "`hhverify run --kind nightly` from cron. Inbox requests are answered meanwhile.")
        threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()
        if when := interrupted_nightly(root):
            log(f"the nightly pass started {when} did not finish (killed?): running the nightly now, before the "
                "inbox watcher, so the rolls changes it was to report are not a day late")
            from pipelines.passes import run_pass
            run_pass(root, kind="nightly", snapshot_mode="background")
        watcher = InboxWatcher(root, _inbox_pass(root, with_prefect=bool(url)), stop=stop, log=log,
                               poll_seconds=poll_seconds)
        watcher.start()
        log(f"watching {root / 'inbox'} (pid {os.getpid()}); stop with SIGTERM or Ctrl-C")
        while not stop.wait(0.5):
            pass
        watcher.join()
        if schedule is not None:
            schedule.drain()
            with pass_lock(root, "stopping hhverify serve",
                           on_wait=lambda holder: log(f"waiting for the pass in progress ({holder})")), \
                    snapshot_lock(root):
                schedule.stop()
        log(f"stopped after {watcher.passes} inbox pass(es)")
    sys.stdout.flush()
    return 0
