"""The semantic layer as each principal sees it: MetricFlow's answers on the principal's extract
equal hand-written SQL over that extract, for every active principal (docs/semantic-layer.md)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from lakesight.security import access
from lakesight.semantic.manifest import SemanticError
from lakesight.semantic.query import MetricRequest, query_as
from tests.support.warehouse import Warehouse

PRINCIPALS = (
    "alice@example.com",
    "bob@example.com",
    "carol@example.com",
    "erin@example.com",
    "frank@example.com",
    "grace@example.com",
    "heidi@example.com",
    "ivan@example.com",
)
#: every metric of models/marts/semantic/_semantic__metrics.yml
METRICS = (
    "net_revenue",
    "gross_revenue",
    "refunds",
    "orders",
    "order_lines",
    "units",
    "average_order_value",
    "customers",
    "new_customers",
    "returning_customers",
    "refund_rate",
    "target",
    "attainment",
    "sessions",
    "converted_sessions",
    "conversion_rate",
    "labelled_items",
    "auto_labelled_items",
    "auto_label_share",
)

#: (request, the same figures in SQL over the extract's secure datasets, ordered like MetricFlow's)
CASES: dict[str, tuple[MetricRequest, str]] = {
    "revenue by month": (
        MetricRequest(
            ("net_revenue", "refunds", "orders", "average_order_value"), ("metric_time__month",)
        ),
        """select date_trunc('month', order_date), sum(net_revenue_usd), sum(refunded_usd),
                  count(*), sum(net_revenue_usd) / count(*)
           from secure.orders where not is_cancelled group by 1 order by 1""",
    ),
    "by region and channel": (
        MetricRequest(("net_revenue", "orders"), ("country__region_name", "order__channel")),
        """select g.region_name, o.channel, sum(o.net_revenue_usd), count(*)
           from secure.orders as o left join secure.geography as g using (country_code)
           where not o.is_cancelled group by 1, 2 order by 1, 2""",
    ),
    "gross revenue by category": (
        MetricRequest(("gross_revenue", "units", "order_lines"), ("product__category_level_1",)),
        """select p.category_level_1, sum(i.line_amount_usd), sum(i.quantity), count(*)
           from secure.order_items as i
           left join secure.orders as o using (order_id)
           left join secure.products as p using (product_id)
           where not o.is_cancelled group by 1 order by 1""",
    ),
    "customers by quarter": (
        MetricRequest(
            ("customers", "new_customers", "returning_customers"), ("metric_time__quarter",)
        ),
        """with orders as (
               select o.customer_id, date_trunc('quarter', o.order_date) as quarter,
                      o.order_date = cast(c.first_ordered_at as date) as is_first_day
               from secure.orders as o left join secure.customers as c using (customer_id)
               where not o.is_cancelled
           )
           select quarter, count(distinct customer_id),
                  count(distinct customer_id) filter (where is_first_day),
                  count(distinct customer_id)
                  - count(distinct customer_id) filter (where is_first_day)
           from orders group by 1 order by 1""",
    ),
    "target and attainment": (
        MetricRequest(("target", "attainment"), ("metric_time__month",)),
        """with targets as (
               select month_start_date as month, sum(target_revenue_usd) as target
               from secure.revenue_vs_target_monthly group by 1
           ), revenue as (
               select date_trunc('month', order_date) as month, sum(net_revenue_usd) as revenue
               from secure.orders where not is_cancelled group by 1
           )
           select month, targets.target, revenue.revenue / targets.target
           from targets full join revenue using (month) order by 1""",
    ),
    "sessions by year": (
        MetricRequest(("sessions", "conversion_rate"), ("metric_time__year",)),
        """select date_trunc('year', session_date), count(*),
                  avg(case when converted then 1 else 0 end)
           from secure.web_sessions group by 1 order by 1""",
    ),
    "auto-label share": (
        MetricRequest(("labelled_items", "auto_label_share"), ("metric_time__year",)),
        """select date_trunc('year', labelled_date), sum(item_count),
                  sum(auto_labelled_count) / sum(item_count)
           from secure.labelling_quality group by 1 order by 1""",
    ),
}


@pytest.fixture(scope="module")
def extracts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("extracts")


def comparable(rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Rows with numbers rounded to 6 places (MetricFlow's ratios are floats, sums decimals) and
    dates as dates (DuckDB's date_trunc returns a timestamp for some grains)."""

    def cell(value: Any) -> Any:
        if isinstance(value, float | Decimal) and not isinstance(value, bool):
            return round(float(value), 6)
        if hasattr(value, "date") and callable(value.date):
            return value.date()
        return value

    return [tuple(cell(value) for value in row) for row in rows]


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_every_metric_equals_sql_over_the_principals_extract(
    built: Warehouse, extracts: Path, principal: str
) -> None:
    for name, (request, sql) in CASES.items():
        answer = query_as(built.database, principal, request, built.target, extracts)
        expected = access.query_as(built.database, principal, sql, extracts).rows
        assert comparable(answer.rows) == comparable(expected), (principal, name)
        assert "marts" not in answer.sql and "secure." in answer.sql, answer.sql


def test_every_metric_answers_for_a_principal_and_differs_from_anothers(
    built: Warehouse, extracts: Path
) -> None:
    request = MetricRequest(METRICS, ("metric_time__year",))
    erin = query_as(built.database, "erin@example.com", request, built.target, extracts)
    bob = query_as(built.database, "bob@example.com", request, built.target, extracts)
    assert erin.columns == ["metric_time__year", *METRICS]
    erin_figures = dict(zip(erin.columns, erin.rows[0], strict=True))
    bob_figures = dict(zip(bob.columns, bob.rows[0], strict=True))
    # erin (analysts) sees every order, bob only the US and Canada
    assert bob_figures["net_revenue"] < erin_figures["net_revenue"]
    # web sessions and labels are public datasets: the same for both
    assert bob_figures["sessions"] == erin_figures["sessions"] > 0
    assert bob_figures["labelled_items"] == erin_figures["labelled_items"] > 0


def test_a_metric_the_layer_does_not_have_is_named_with_suggestions(
    built: Warehouse, extracts: Path
) -> None:
    with pytest.raises(SemanticError, match="net_revenu"):
        query_as(
            built.database,
            "bob@example.com",
            MetricRequest(("net_revenu",)),
            built.target,
            extracts,
        )


def test_the_command_line_prints_the_same_figures_as_json(built: Warehouse, extracts: Path) -> None:
    request = MetricRequest(("net_revenue", "orders"), ("metric_time__month",))
    expected = query_as(built.database, "bob@example.com", request, built.target, extracts)
    printed = built.lakesight(
        "metrics",
        "--as",
        "bob@example.com",
        "--metrics",
        "net_revenue,orders",
        "--group-by",
        "metric_time__month",
        "--json",
        "--target",
        str(built.target),
        "--extracts",
        str(extracts),
    )
    answer = json.loads(printed.stdout)
    assert answer["columns"] == expected.columns
    assert comparable([row[1:] for row in answer["rows"]]) == comparable(
        [row[1:] for row in expected.rows]
    )
    assert [row[0][:10] for row in answer["rows"]] == [
        row[0].date().isoformat() for row in expected.rows
    ]
