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


def test_a_root_cannot_take_over_the_deployments_another_root_of_the_same_folder_name_serves(prefect_api, tmp_path):
    """An operations probe: two counties' roots, both named W, shared one nightly deployment; the second
    silently took it over (the first's nightly never ran again) and paused it when it stopped."""
    import asyncio
    import shutil

    from prefect.runner import Runner

    from pipelines.flows import deployment_specs, verification_pass
    from pipelines.serve import label_clash

    first, second = tmp_path / "a" / "W", tmp_path / "b" / "W"
    first.mkdir(parents=True)
    second.mkdir(parents=True)

    async def register(root):
        runner = Runner(name="probe")
        for spec in deployment_specs(root).values():
            await runner.aadd_flow(verification_pass, **spec)

    asyncio.run(register(first))
    said = asyncio.run(label_clash(deployment_specs(second), second))
    assert said and str(first) in said and "--name" in said
    assert asyncio.run(label_clash(deployment_specs(first), first)) is None           # its own
    assert asyncio.run(label_clash(deployment_specs(second, label="b-W"), second)) is None
    shutil.rmtree(first)                                                                # a root moved away
    assert asyncio.run(label_clash(deployment_specs(second), second)) is None
