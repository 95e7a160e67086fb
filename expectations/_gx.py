"""Great Expectations, imported only when asked for, with analytics and progress bars off.

`import great_expectations` takes 3–4 s (docs/stack-notes.md), so nothing in `expectations`
imports it at module level: the gate (`evaluate`) never needs it, only the report does.
Contexts made here are ephemeral: stores live in memory, and the only thing written to disk
is a Data Docs site, where the caller says. Nothing goes under the user's home.
"""

from __future__ import annotations

import os
from pathlib import Path

DOCS_SITE = "quality"


def import_gx():
    """The `great_expectations` module, with analytics disabled before it loads."""
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    import great_expectations

    return great_expectations


def ephemeral_context(site_dir: Path | None = None):
    """An in-memory GX context; with `site_dir`, one filesystem Data Docs site named `quality` there."""
    gx = import_gx()
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites = {}
    if site_dir is not None:
        sites[DOCS_SITE] = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "show_cta_footer": False},
        }
    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
                               data_docs_sites=sites, analytics_enabled=False,
                               progress_bars=ProgressBarsConfig(globally=False))
    # Through get_context, which also makes it GX's current context (validation asks for one).
    context = gx.get_context(project_config=config, mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context
