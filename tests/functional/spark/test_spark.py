"""The Spark target (docs/scale-out.md) against DuckDB, row for row, on one tiny lake.

Builds what is portable so far on both engines: the raw layer (DuckDB: the dbt Python models;
Spark: `lakesight spark load`, the same models run into Spark tables), the seeds, the staging
models (base_ tables, stg_ and __rejected views), the intermediate models and the marts, runs
on Spark every unit test and one use of each data test's SQL (`spark_tests`; DuckDB runs them all
in the other modules' builds), registers the lake as Spark external tables, then
compares every table (seeds, raw, base, the web intermediates, every mart): same columns, same
multiset of rows with types normalised (timestamps as UTC text, numbers and booleans as text).
Columns that differ by construction are only checked for NULLs: `_loaded_at` and `_checked_at`
(when the rows were loaded and checked) and `_rules_version` (a fingerprint of the model's code
and macros, which are the spark__ ones on Spark). A second round appends a day to the lake and
reloads one file in place on both engines (DuckDB: the incremental path of raw and base models;
Spark: incremental raw, full base tables) and compares again. The Spark tables are read from
their parquet files under the warehouse folder, so the comparison starts no JVM of its own; every
Spark command (dbt and `lakesight spark …`) runs in one child process, one JVM for the module
(tests/support/command_process.py).
Skipped without Java 17+ or PySpark.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from lakesight.engines.spark.secure import principal_folder
from lakesight.engines.spark.session import unavailable_reason
from tests.support.command_process import CommandProcess
from tests.support.warehouse import BIN, REPO, Warehouse, project_copy, run_checked

pytestmark = pytest.mark.skipif(
    unavailable_reason() is not None, reason=f"Spark target unavailable: {unavailable_reason()}"
)

RAW_TABLES = (
    "raw_catalog__products",
    "raw_crm__customers",
    "raw_fulfilment__shipments",
    "raw_labelling__review_labels",
    "raw_payments__payments",
    "raw_shop__order_items",
    "raw_shop__orders",
    "raw_web__access_logs",
)
BASE_TABLES = tuple(
    path.stem for path in sorted((REPO / "models" / "staging").glob("*/base/base_*.sql"))
)
#: not built by dbt on Spark: the Python models (`lakesight spark load` runs them) and the mart
#: whose snapshot needs Delta, Iceberg or Hudi (docs/scale-out.md)
NOT_ON_SPARK = ("stg_lake__manifest", "policy_mask_salt", "dim_customers_history")
#: the tables of the intermediate layer (the rest are views) and the marts
INTERMEDIATE_TABLES = ("int_web_requests_parsed", "int_web_sessions_sessionised")
MART_TABLES = tuple(
    path.stem
    for path in sorted((REPO / "models" / "marts").glob("*/*.sql"))
    if path.stem not in NOT_ON_SPARK
)
#: differ between any two builds (load and check times) or engines (the rules' fingerprint)
VOLATILE = {"_loaded_at", "_checked_at", "_rules_version"}
#: the portable part of the project, as dbt selectors (the Makefile's SPARK_SELECT and
#: SPARK_EXCLUDE); stg_lake__manifest and policy_mask_salt are Python models, run by
#: `lakesight spark load`
MODEL_PATHS = (
    "path:models/staging",
    "path:models/intermediate",
    "path:models/marts",
    "path:models/policy",
    "path:models/secure",
)
#: and the secure layer's generic tests: they switch principal within one session, which Spark
#: cannot (current_user() is the session's user); test_secure_views_equal_per_principal instead;
#: and the scope comparison (a Python model that only reports) with its tests
SPARK_SELECT = (
    "path:seeds",
    *MODEL_PATHS,
    "--exclude",
    *NOT_ON_SPARK,
    "policy_scope_mismatches+",
    "test_name:sec_no_row_outside_rules",
    "test_name:sec_masked_unless_granted",
)
LAKE_OPTIONS = ("--scale", "0.002", "--start", "2025-03-01", "--days", "7", "--seed", "7")
OFFSET_CONFIDENCE = 0.0123
#: review label lines whose creation-date carries an offset: (review_id, creation-date)
OFFSETS = (
    ("RTZ0530", "2025-03-03T02:00:00+05:30"),  # 2025-03-02 20:30:00 UTC
    ("RTZ0500", "2025-03-03T04:59:59.5+05:00"),  # 2025-03-02 23:59:59.5 UTC
    ("RTZNAME", "2025-03-03T02:00:00 Asia/Kolkata"),  # not a timestamp: quarantined
    ("RTZ2500", "2025-03-03T02:00:00+25:00"),  # not an offset: quarantined
)
OFFSET_LINES = [
    {
        "source": "ok",
        "review_id": review_id,
        "product_id": 1,
        "review-sentiment": 2,
        "review-sentiment-metadata": {
            "class-name": "positive",
            # a confidence of their own: ml_labelling_quality's confidence_min finds their day
            "confidence": OFFSET_CONFIDENCE if review_id.startswith("RTZ05") else 0.9,
            "human-annotated": "no",
            "job-name": "labeling-job/review-sentiment",
            "creation-date": created,
        },
    }
    for review_id, created in OFFSETS
]


class SparkBuild:
    """The Spark warehouse (metastore + warehouse folder) of one lake, and the one process (one
    JVM) that runs every Spark command of this module (tests/support/command_process.py)."""

    def __init__(self, root: Path, lake: Path, process: CommandProcess) -> None:
        self.root, self.lake, self.process = root, lake, process
        self.directory = root / "spark"

    def env(self) -> dict[str, str]:
        return os.environ | {
            "LAKESIGHT_LAKE": str(self.lake),
            "LAKESIGHT_SPARK_DIR": str(self.directory),
            "DBT_TARGET_PATH": str(self.root / "target"),
            "DBT_LOG_PATH": str(self.root / "logs"),
            "DBT_PROFILES_DIR": str(REPO),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "SPARK_LOCAL_IP": "127.0.0.1",
            # in the one JVM's environment from its start: a ${env:LS_PROBE} that Spark's
            # variable substitution replaced would show it (test_policy_text_round_trips…)
            "LS_PROBE": PROBE,
        }

    def lakesight(self, *args: str) -> str:
        result = self.process.run("lakesight", list(args), REPO, self.env())
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
        return result.stdout

    def dbt(
        self,
        *args: str,
        project: Path = REPO,
        expect_success: bool = True,
        extra_env: dict[str, str] | None = None,
    ) -> str:
        """Run dbt on Spark, in the repository or in a copy of the project; its output."""
        result = self.process.run(
            "dbt",
            [*args, "--target", "spark"],
            project,
            self.env() | {"DBT_PROFILES_DIR": str(project)} | (extra_env or {}),
        )
        if expect_success:
            assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
        assert expect_success or result.returncode != 0, result.stdout[-3000:]
        return result.stdout + result.stderr

    def files(self, schema: str, table: str) -> str:
        return str(self.directory / "warehouse" / f"{schema}.db" / table / "*.parquet")


#: a timestamp as DuckDB writes it in JSON (`2025-03-01 07:39:05.1458+00`) or Spark does
#: (`2025-03-01T07:39:05.145800Z`)
TIMESTAMP_TEXT = re.compile(
    r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)?$"
)


def _comparable_json(text: str | None) -> str | None:
    """A `_raw_record` the same on both engines: its volatile fields dropped, timestamps as UTC.

    The raw record is each engine's JSON of the raw row (row_to_json): Spark and DuckDB write
    timestamps differently, and the row's `_loaded_at` is when it was loaded.
    """
    if text is None:
        return None
    try:
        record = json.loads(text)
    except ValueError:
        return text  # a log or JSON Lines line kept as it arrived
    if not isinstance(record, dict):
        return text
    for key in VOLATILE:
        record.pop(key, None)
    for key, value in record.items():
        if isinstance(value, str) and TIMESTAMP_TEXT.match(value):
            moment = datetime.fromisoformat(value.replace(" ", "T").replace("Z", "+00:00"))
            if moment.tzinfo is not None:
                moment = moment.astimezone(UTC).replace(tzinfo=None)
            record[key] = moment.isoformat(sep=" ", timespec="microseconds")
    return json.dumps(record, sort_keys=True)


def _normalised(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[list[str], str]:
    """The relation's columns (without the volatile ones) as comparable text."""
    described = con.execute(f"describe select * from {relation}").fetchall()
    expressions, names = [], []
    for name, dtype, *_ in described:
        if name in VOLATILE:
            continue
        quoted = '"' + name + '"'
        if name == "_raw_record":
            text = f"comparable_json({quoted})"
        elif "TIMESTAMP" in dtype.upper():
            text = f"strftime(cast({quoted} as timestamp), '%Y-%m-%d %H:%M:%S.%f')"
        elif dtype.upper() in ("FLOAT", "DOUBLE"):
            text = f"cast(cast({quoted} as double) as varchar)"
        else:
            text = f"cast({quoted} as varchar)"
        expressions.append(f"{text} as {quoted}")
        names.append(name)
    return sorted(names), f"select {', '.join(expressions)} from {relation}"


def _compare_relations(con: duckdb.DuckDBPyConnection, left: str, right: str, label: str) -> int:
    """Fail, naming `label` and a sample row, when DuckDB's `left` and Spark's `right` differ;
    returns the number of rows."""
    con.execute("set TimeZone = 'UTC'")
    con.create_function("comparable_json", _comparable_json, ["VARCHAR"], "VARCHAR")
    left_names, left_sql = _normalised(con, left)
    right_names, right_sql = _normalised(con, right)
    assert left_names == right_names, f"{label}: columns differ"
    columns = ", ".join('"' + n + '"' for n in left_names)
    for volatile in VOLATILE & {c[0] for c in con.execute(f"describe {left}").fetchall()}:
        nulls = con.execute(f'select count(*) from {right} where "{volatile}" is null')
        assert nulls.fetchone() == (0,), f"{label}: NULL {volatile} on Spark"
    for one, other, side in ((left_sql, right_sql, "DuckDB"), (right_sql, left_sql, "Spark")):
        extra = con.execute(
            f"select {columns} from ({one}) except all select {columns} from ({other})"
        ).fetchall()
        assert not extra, (
            f"{label}: {len(extra)} row(s) only on {side}, e.g. "
            f"{dict(zip(left_names, extra[0], strict=True))}"
        )
    counts = [con.execute(f"select count(*) from {r}").fetchone() for r in (left, right)]
    assert counts[0] == counts[1], f"{label}: {counts[0]} vs {counts[1]} rows"
    return int(counts[0][0])  # type: ignore[index]


def compare(duck: Warehouse, spark: SparkBuild, schema: str, table: str) -> None:
    """Fail, naming the table and a sample row, when the two engines' tables differ."""
    with duckdb.connect() as con:
        con.execute(f"attach '{duck.database}' as duck (read_only)")
        right = f"read_parquet('{spark.files(schema, table)}')"
        _compare_relations(con, f"duck.{schema}.{table}", right, f"{schema}.{table}")


def compare_as(duck: Warehouse, principal: str, view: str, spark_file: Path) -> int:
    """Fail when the secure view differs between the engines for this principal: DuckDB's read
    with the session variable set, Spark's from `lakesight spark extract`. Returns its rows."""
    with duckdb.connect(str(duck.database), read_only=True) as con:
        con.execute("set variable lakesight_principal = ?", [principal])
        right = f"read_parquet('{spark_file}')"
        return _compare_relations(con, f"secure.{view}", right, f"secure.{view} as {principal!r}")


def spark_tests(spark: SparkBuild) -> list[str]:
    """The data and unit tests the Spark build runs: every unit test, every test whose SQL is
    written where it is used (singular tests, `expression_is_true`), and of every other generic
    test one use per arguments' shape (the macro's Spark SQL; the same macro on other columns
    differs only by names). Each of them runs on DuckDB in every other module's build."""
    listed = spark.dbt(
        "--quiet",
        "ls",
        "-s",
        *SPARK_SELECT,
        "--indirect-selection",
        "cautious",
        "--resource-type",
        "test",
        "unit_test",
        "--output",
        "json",
        "--output-keys",
        "unique_id",
        "name",
        "resource_type",
    )
    nodes = json.loads((spark.root / "target" / "manifest.json").read_text())["nodes"]
    picked: dict[object, str] = {}
    for line in listed.splitlines():
        if not line.startswith("{"):
            continue  # the JVM's warnings
        entry = json.loads(line)
        metadata = nodes.get(entry["unique_id"], {}).get("test_metadata")
        if not metadata or metadata["name"] == "expression_is_true":  # unit tests: no metadata
            picked[entry["unique_id"]] = entry["name"]
        else:
            arguments = metadata["kwargs"]
            flags = tuple(
                sorted(
                    (key, value if isinstance(value, bool) else None)
                    for key, value in arguments.items()
                    if key not in ("model", "column_name")
                )
            )
            picked.setdefault((metadata["name"], flags), entry["name"])
    assert len(picked) > 40, listed[-2000:]
    return sorted(picked.values())


def seeds() -> list[tuple[str, str]]:
    """(schema, seed) of every seed: the folder names the schema (dbt_project.yml)."""
    folders = {"reference": "reference", "security": "security"}
    return [
        (schema, path.stem)
        for folder, schema in folders.items()
        for path in sorted((REPO / "seeds" / folder).glob("*.csv"))
    ]


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Warehouse, SparkBuild]]:
    root = tmp_path_factory.mktemp("spark_parity")
    lake = root / "lake"
    run_checked(
        [str(BIN / "lakesight"), "lake", "generate", *LAKE_OPTIONS, "--lake", str(lake)],
        REPO,
        dict(os.environ),
        True,
    )
    # Ground Truth creation-dates with offsets (+05:30 and +05:00 across midnight, a zone name
    # and an impossible offset quarantined): both engines must store the same UTC instants
    # (try_parse_iso_timestamp_utc) and quarantine the same lines; ml_labelling_quality's day
    # of the two valid ones is compared too
    offsets = lake / "labelling" / "review_labels" / "dt=2025-03-03" / "part-0099.jsonl"
    offsets.parent.mkdir(parents=True, exist_ok=True)
    offsets.write_text("".join(f"{json.dumps(line)}\n" for line in OFFSET_LINES))
    duck = Warehouse(root / "duckdb", lake)
    duck.root.mkdir()
    duck.build(
        "-s",
        "path:seeds",
        "path:models/raw",
        *MODEL_PATHS,
        "--exclude",
        "dim_customers_history",
        "--resource-type",
        "seed",
        "--resource-type",
        "model",
    )
    process = CommandProcess(root / "spark-process.log")
    spark = SparkBuild(root, lake, process)
    # the raw step, then the lake's external tables, checked by the loads' rules
    registered = spark.lakesight("spark", "load", "--lake", str(lake))
    assert "lake.shop__orders: csv at" in registered and "7 dt partition(s)" in registered
    built = spark.dbt("build", "-s", *SPARK_SELECT, "--resource-type", "seed", "model")
    assert "ERROR=0" in built and "SKIP=0" in built, built[-2000:]
    tests = spark_tests(spark)
    tested = spark.dbt("test", "-s", *tests)
    assert f"PASS={len(tests)} WARN=0 ERROR=0" in tested, tested[-2000:]
    yield duck, spark
    process.close()


def test_seeds_equal(engines: tuple[Warehouse, SparkBuild]) -> None:
    duck, spark = engines
    for schema, seed in seeds():
        compare(duck, spark, schema, seed)


def compare_tables(duck: Warehouse, spark: SparkBuild, marts: bool = True) -> None:
    for table in RAW_TABLES:
        compare(duck, spark, "raw", table)
    for table in BASE_TABLES:
        compare(duck, spark, "staging", table)
    for table in INTERMEDIATE_TABLES:
        compare(duck, spark, "intermediate", table)
    for table in MART_TABLES if marts else ():
        compare(duck, spark, "marts", table)


def test_raw_to_marts_equal_then_incremental(engines: tuple[Warehouse, SparkBuild]) -> None:
    duck, spark = engines
    assert len(BASE_TABLES) == len(RAW_TABLES) and len(MART_TABLES) > 20
    compare_tables(duck, spark)
    # the offset lines compared above did reach the marts and the quarantine, converted to UTC
    with duckdb.connect() as con:
        quality = f"read_parquet('{spark.files('marts', 'ml_labelling_quality')}')"
        days = con.sql(
            f"select cast(labelled_date as varchar) from {quality}"
            f" where confidence_min = {OFFSET_CONFIDENCE}"
        ).fetchall()
        assert days == [("2025-03-02",)]  # the UTC day of both, 03-03 in their own zones
        base = f"read_parquet('{spark.files('staging', 'base_labelling__review_labels')}')"
        rejected = con.sql(
            f"select review_id, _reject_reason from {base} where review_id in"
            " ('RTZNAME', 'RTZ2500') order by 1"
        ).fetchall()
        assert rejected == [
            ("RTZ2500", "creation-date is not a timestamp: 2025-03-03T02:00:00+25:00"),
            ("RTZNAME", "creation-date is not a timestamp: 2025-03-03T02:00:00 Asia/Kolkata"),
        ]
    # one more day, and one file edited in place: both engines load the new files and replace
    # the edited file's rows. Up to the intermediate layer, where the engines build differently
    # (DuckDB incremental, Spark full tables); the marts are full tables on both
    run_checked(
        [str(BIN / "lakesight"), "lake", "append", "--days", "1", "--lake", str(duck.lake)],
        REPO,
        dict(os.environ),
        True,
    )
    edited = sorted((duck.lake / "web" / "access_logs").glob("dt=*/part-*.log"))[0]
    edited.write_text(edited.read_text() + "not a log line\n")
    incremental = ("path:models/staging", "path:models/intermediate")
    duck.build("-s", "path:models/raw", *incremental, "--resource-type", "model")
    loaded = spark.lakesight("spark", "load", "--lake", str(duck.lake))
    assert "raw.raw_web__access_logs: 0 file(s)" not in loaded, loaded
    spark.dbt("run", "-s", *incremental, "--exclude", *NOT_ON_SPARK)
    compare_tables(duck, spark, marts=False)


def principals() -> list[str]:
    """Whom the secure views are compared for: every user of sec_users as written (spaces and
    capitals included, inactive ones too), an unknown user, a look-alike of a known one (the
    Kelvin sign U+212A for k) and an empty name."""
    with (REPO / "seeds" / "security" / "sec_users.csv").open(newline="") as handle:
        users = [row["user_name"] for row in csv.DictReader(handle)]
    return [*users, "nobody@example.com", "fran\u212a@example.com", ""]


def test_secure_views_equal_per_principal(
    engines: tuple[Warehouse, SparkBuild], tmp_path: Path
) -> None:
    duck, spark = engines
    names = principals()
    out = tmp_path / "as_principal"
    spark.lakesight(
        "spark", "extract", *[a for n in names for a in ("--principal", n)], "--out", str(out)
    )
    views = sorted(path.stem for path in (REPO / "models" / "secure").glob("*.sql"))
    shown = dict.fromkeys(views, 0)
    for name in names:
        folder = out / principal_folder(name)
        assert sorted(p.stem for p in folder.glob("*.parquet")) == views, name
        rows = {view: compare_as(duck, name, view, folder / f"{view}.parquet") for view in views}
        if name in ("dave@example.com", "nobody@example.com", "fran\u212a@example.com", ""):
            assert not any(rows.values()), f"{name!r} sees rows: {rows}"
        for view, count in rows.items():
            shown[view] += count
    # every view over a mart with rows shows rows to someone: not a comparison of empty views
    # (on this 7-day lake the churn features, which need whole months, are empty)
    manifest = json.loads((duck.target / "manifest.json").read_text())
    with duckdb.connect(str(duck.database), read_only=True) as con:
        for node in manifest["nodes"].values():
            if node["resource_type"] != "model" or node["name"] not in shown:
                continue
            parents = [unique_id.split(".")[-1] for unique_id in node["depends_on"]["nodes"]]
            marts = [name for name in parents if name.startswith(("fct_", "dim_", "rpt_", "ml_"))]
            mart_rows = sum(
                con.sql(f"select count(*) from marts.{m}").fetchall()[0][0] for m in marts
            )
            assert shown[node["name"]] or not mart_rows, (
                f"secure.{node['name']} shows no row to anyone"
            )


def test_gx_mart_suites_agree(engines: tuple[Warehouse, SparkBuild], tmp_path: Path) -> None:
    """The GX mart suites on GX's Spark engine (`lakesight spark validate`) find what they find
    on DuckDB: every expectation evaluated (no query error), the same ones met, the same ones
    failed with the same offenders (on this lake: the auto-labelled share, a warning)."""
    from lakesight.quality.runner import run_checkpoint
    from lakesight.quality.suites import mart_suites

    duck, spark = engines
    out = tmp_path / "spark_gx.json"
    spark.lakesight("spark", "validate", "--json", str(out))
    on_spark = json.loads(out.read_text())
    on_duck = [dataclasses.asdict(o) for o in run_checkpoint(duck.database, mart_suites())]
    assert on_spark == on_duck
    expectations = sum(len(suite.expectations) for suite in mart_suites())
    assert sum(o["met"] + len(o["failures"]) for o in on_spark) == expectations
    errors = [f for o in on_spark for f in o["failures"] if f["offenders"].startswith("error:")]
    assert not errors, errors


#: policy text that must reach SQL as itself: quotes and backslashes that would end a literal,
#: comment starts, a backtick, ${…} that Spark's variable substitution would replace (LS_PROBE is
#: set in dbt's environment), escapes that must stay text, a look-alike and control characters
HOSTILE = (
    "\\",
    "x\\",
    "\\'",
    "'",
    "''",
    "' or '1'='1",
    "a\\' or 1=1 --",
    "`",
    '"',
    "${env:LS_PROBE}",
    "\\${spark.master}",
    "$",
    "--",
    "/*",
    "\u00e9\u212a",
    "line\nbreak",
    "\\u0041",
    "\\n",
    "%s",
)


#: what ${env:LS_PROBE} would become in a statement if Spark substituted variables
PROBE = "leaked"


def _shown(output: str) -> dict[str, object]:
    """The one row `dbt --quiet show --output json` printed (the JVM's warnings follow it)."""
    shown = json.JSONDecoder().raw_decode(output, output.index("{"))[0]["show"]
    assert len(shown) == 1, output[-2000:]
    return shown[0]


def test_policy_text_round_trips_through_the_quoting_on_both_engines(
    engines: tuple[Warehouse, SparkBuild], tmp_path: Path
) -> None:
    """sec_literal and sec_ident, the only way policy text reaches SQL: each hostile value
    comes back as itself, as a value and as a column name, on Spark as on DuckDB; a name holding
    ${ is refused on Spark (a quoted name there has no escape that could protect it)."""
    duck, spark = engines
    query = (
        "select {% for v in var('hostile') %}{{ sec_literal(v) }} as {{ sec_ident('v' ~ loop.index)"
        " }}, 1 as {{ sec_ident(v if '${' not in v else 'n' ~ loop.index) }}"
        "{{ ', ' if not loop.last }}{% endfor %}"
    )
    arguments = ("--quiet", "show", "--inline", query, "--output", "json", "--limit", "1")
    hostile = json.dumps({"hostile": list(HOSTILE)})
    expected: dict[str, object] = {}
    for index, value in enumerate(HOSTILE, 1):
        expected[f"v{index}"] = value
        expected[value if "${" not in value else f"n{index}"] = 1
    probe = {"LS_PROBE": PROBE}
    # a DuckDB file of its own: the query reads nothing, and GX may still hold the warehouse
    scratch = probe | {"LAKESIGHT_DB": str(tmp_path / "show.duckdb")}
    on_duck = run_checked(
        [str(BIN / "dbt"), *arguments, "--vars", hostile], REPO, duck.env() | scratch, True
    )
    assert _shown(on_duck.stdout) == expected
    assert _shown(spark.dbt(*arguments, "--vars", hostile, extra_env=probe)) == expected
    refused = spark.dbt(
        "--quiet",
        "show",
        "--inline",
        "select 1 as {{ sec_ident('${env:LS_PROBE}') }}",
        expect_success=False,
        extra_env=probe,
    )
    assert "holds ${, which Spark's variable substitution would replace" in refused, refused
    assert PROBE not in refused


def test_a_bad_policy_fails_the_spark_build_naming_file_row_and_column(
    engines: tuple[Warehouse, SparkBuild], tmp_path: Path
) -> None:
    """A typo in a dataset name (`customer` in the email rows of both CLS seeds): the Spark build
    fails as the DuckDB one does, naming seed file, row and column; nothing downstream is built
    and the views of the last build show the email to no one. Runs last: it leaves the refused
    policy in this module's Spark warehouse."""
    _, spark = engines
    project = project_copy(tmp_path)
    for name in ("sec_cls_columns.csv", "sec_cls_grants.csv"):
        path = project / "seeds" / "security" / name
        path.write_text(path.read_text().replace("customers,email,", "customer,email,"))
    output = spark.dbt(
        "build",
        "-s",
        "path:seeds/security",
        "path:models/policy",
        "path:models/secure",
        "--exclude",
        "policy_mask_salt",
        "policy_scope_mismatches+",
        "test_name:sec_no_row_outside_rules",
        "test_name:sec_masked_unless_granted",
        project=project,
        expect_success=False,
    )
    for line in (
        "seeds/security/sec_cls_columns.csv row 1, column dataset: unknown dataset customer"
        " (not in sec_datasets)",
        "seeds/security/sec_cls_grants.csv row 1, column dataset: unknown dataset customer",
    ):
        assert line in output, output[-6000:]
    results = json.loads((spark.root / "target" / "run_results.json").read_text())["results"]
    statuses = {r["unique_id"].split(".")[-1]: r["status"] for r in results}
    assert statuses["policy_datasets"] == "error" and statuses["customers"] == "skipped"
    out = tmp_path / "as_principal"
    spark.lakesight(
        "spark", "extract", "-p", "bob@example.com", "-p", "carol@example.com", "--out", str(out)
    )
    with duckdb.connect() as con:
        for name in ("bob@example.com", "carol@example.com"):
            view = out / principal_folder(name) / "customers.parquet"
            emails = con.sql(f"select email from read_parquet('{view}')").fetchall()
            assert emails == [], (name, emails[:3])
