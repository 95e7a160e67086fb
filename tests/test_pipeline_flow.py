"""The Prefect flow runs the same stages as `run_pass`, one task per stage."""

from datetime import date

import pytest

from data.generator import generate

pytestmark = pytest.mark.prefect
AS_OF = date(2026, 11, 28)


@pytest.fixture(scope="module")
def prefect_api():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


def test_flow_runs_every_stage_as_a_task_and_completes(prefect_api, tmp_path):
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from pipelines.flows import verification_pass
    from pipelines.passes import STAGES

    generate(tmp_path / "root", households=12, seed=5, as_of=AS_OF)
    state = verification_pass(str(tmp_path / "root"), as_of=AS_OF.isoformat(), return_state=True)
    summary = state.result()
    assert summary["status"] == "completed" and summary["reports_written"] > 0

    async def task_names():
        async with get_client() as client:
            runs = await client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id])))
            return sorted(r.name.rsplit("-", 1)[0] for r in runs)

    import asyncio
    assert asyncio.run(task_names()) == sorted(s.__name__ for s in STAGES)
