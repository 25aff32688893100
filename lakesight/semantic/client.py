"""MetricFlow's SQL client over one DuckDB connection: a principal's confined extract.

MetricFlow renders its SQL and hands it to a client (metricflow.protocols.sql_client.SqlClient);
dbt-metricflow's own client goes through a dbt adapter and the profile's warehouse, which a
principal's query must never open. This one runs the SQL on the connection it is given and nothing
else: lakesight gives it the extract opened by lakesight.security.access.connect_confined.
"""

from __future__ import annotations

import duckdb
from metricflow.data_table.mf_table import MetricFlowDataTable
from metricflow.protocols.sql_client import SqlEngine
from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer
from metricflow.sql.render.sql_plan_renderer import SqlPlanRenderer
from metricflow_semantics.sql.sql_bind_parameters import SqlBindParameterSet

#: MetricFlow's default: no bind parameter
NO_PARAMETERS = SqlBindParameterSet()


class DuckDbClient:
    """A MetricFlow SqlClient on one DuckDB connection (bind parameters refused: MetricFlow
    sends none)."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self._connection = connection
        self._renderer = DuckDbSqlPlanRenderer()

    @property
    def sql_engine_type(self) -> SqlEngine:
        return SqlEngine.DUCKDB

    @property
    def sql_plan_renderer(self) -> SqlPlanRenderer:
        return self._renderer

    def _refuse_parameters(self, parameters: SqlBindParameterSet) -> None:
        if parameters.param_dict:
            raise ValueError("bind parameters are not supported")

    def query(
        self, stmt: str, sql_bind_parameter_set: SqlBindParameterSet = NO_PARAMETERS
    ) -> MetricFlowDataTable:
        self._refuse_parameters(sql_bind_parameter_set)
        cursor = self._connection.execute(stmt)
        names = [column[0] for column in cursor.description or []]
        return MetricFlowDataTable.create_from_rows(column_names=names, rows=cursor.fetchall())

    def execute(
        self, stmt: str, sql_bind_parameter_set: SqlBindParameterSet = NO_PARAMETERS
    ) -> None:
        self._refuse_parameters(sql_bind_parameter_set)
        self._connection.execute(stmt)

    def dry_run(
        self, stmt: str, sql_bind_parameter_set: SqlBindParameterSet = NO_PARAMETERS
    ) -> None:
        self._refuse_parameters(sql_bind_parameter_set)
        self._connection.execute(f"explain {stmt}")

    def close(self) -> None:
        self._connection.close()

    def render_bind_parameter_key(self, bind_parameter_key: str) -> str:
        return f"${bind_parameter_key}"
