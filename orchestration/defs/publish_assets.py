"""Publishing: the finished build becomes the warehouse readers see, atomically."""


from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from govpulse.publish import include_raw_from_env, publish
from govpulse.settings import spark_dir
from govpulse.spark_marts import import_spark_marts, mart_descriptions
from orchestration.defs.raw_assets import DUCKDB_POOL
from orchestration.defs.resources import PipelineSettings
from orchestration.project import dbt_project

MARTS = ("account_scorecard", "department_scorecard", "fct_inbound_replies", "fct_posts",
         "dim_accounts", "dim_departments", "dim_metric_settings")


@dg.asset(
    key=["published", "warehouse"],
    group_name="published",
    deps=[dg.AssetKey(["marts", name]) for name in MARTS],
    pool=DUCKDB_POOL,
    description="The complete warehouse file readers open, swapped in atomically after a "
                "successful dbt build.",
)
def published_warehouse(
    context: dg.AssetExecutionContext, warehouse: DuckDBResource, pipeline: PipelineSettings
) -> dg.MaterializeResult:
    if pipeline.dbt_target == "spark":
        rows = import_spark_marts(Path(warehouse.database),
                                  spark_dir(Path(pipeline.warehouse)) / "warehouse", MARTS,
                                  mart_descriptions(Path(dbt_project.manifest_path)))
        context.log.info(f"marts built on Spark copied in: {rows}")
    include_raw = include_raw_from_env()
    report = publish(Path(warehouse.database), Path(pipeline.warehouse), include_raw=include_raw)
    target = report.path
    context.log.info(f"published {target} ({'everything' if include_raw else 'marts only'}): "
                     f"{report.summary()}")
    return dg.MaterializeResult(metadata={
        "path": str(target),
        "schemas": "all" if include_raw else "marts",
        "size_mb": round(target.stat().st_size / 1e6, 1),
        "built_on": pipeline.dbt_target,
        "mode": report.mode,
        "updated_rows": dg.MetadataValue.json(report.updated_rows),
    })
