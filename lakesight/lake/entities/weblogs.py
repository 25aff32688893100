"""The web shop's traffic: visits made of page views, and the two log formats it is written in.

Visitors (IP + User-Agent) browse in sessions — home → category → product → cart → checkout →
order confirmation (`/checkout/complete`, a purchase) —
with gaps under 30 minutes; some come back later the same day. A visitor is served either
through CloudFront (W3C log, `part-0000.log`) or directly by Apache (`part-0001.log`).
"""

from __future__ import annotations

from functools import cache
from urllib.parse import quote

import numpy as np
import polars as pl

from lakesight.lake import reference, volume
from lakesight.lake.clock import COUNTRY_WEIGHTS, pick, seconds_of_day
from lakesight.lake.entities.products import Catalogue
from lakesight.lake.plan import Plan
from lakesight.lake.rng import SECONDS_PER_DAY, Stream, day_of, rng_for

W3C_FIELDS = (
    "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status "
    "cs(Referer) cs(User-Agent) cs-uri-query"
)
W3C_HEADER = ("#Version: 1.0", f"#Fields: {W3C_FIELDS}")
USER_AGENT_STRINGS = tuple(ua for _, ua, _ in reference.USER_AGENTS) + reference.BOT_USER_AGENTS
_HUMAN_UA_WEIGHTS = tuple(w for _, _, w in reference.USER_AGENTS)
_HOME, _CATEGORY, _PRODUCT, _CART, _CHECKOUT, _CONFIRMATION = range(6)
_EXIT = 6
_FIRST_OCTETS = np.array([o for o in range(1, 224) if o not in (10, 100, 127, 169, 172, 192, 198)])


@cache
def _category_slugs() -> tuple[str, ...]:
    """URL slugs of the level-2 categories (`/c/sports/footwear`)."""

    def slug(text: str) -> str:
        return "".join(c if c.isalnum() else "-" for c in text.lower().replace("'", "")).replace(
            "--", "-"
        )

    pairs = dict.fromkeys((c.level_1, c.level_2) for c in reference.CATEGORIES)
    return tuple(f"/c/{slug(a)}/{slug(b)}" for a, b in pairs)


def _encoded_user_agents() -> pl.Series:
    """User-Agents as CloudFront writes them (URL-encoded, spaces as %20)."""
    return pl.Series([quote(ua, safe="/();,:.+=!*'&$-_~") for ua in USER_AGENT_STRINGS])


def web_cohort(plan: Plan, catalogue: Catalogue, day: int) -> pl.DataFrame:
    """Every page view of the visits that start on `day` (some spill into the next day)."""
    rng = rng_for(plan.seed, Stream.WEB, day)
    expected = reference.PAGE_VIEWS_PER_ORDER_LINE * volume.busy_lines(
        plan.seed, day_of(day), plan.scale
    )
    n = volume.draw_count(rng, expected / reference.MEAN_PAGES_PER_SESSION)
    bot = rng.random(n) < reference.BOT_SESSION_SHARE
    country = pick(rng, COUNTRY_WEIGHTS, n)
    ua = np.where(
        bot,
        len(reference.USER_AGENTS) + rng.integers(0, len(reference.BOT_USER_AGENTS), n),
        pick(rng, _HUMAN_UA_WEIGHTS, n),
    )
    human_ip = _FIRST_OCTETS[rng.integers(0, len(_FIRST_OCTETS), n)] * 2**24 + rng.integers(
        0, 2**24, n
    )
    bot_ip = np.where(ua == len(reference.USER_AGENTS), 66 * 2**24 + 249 * 2**16 + 64 * 2**8, 0)
    bot_ip = np.where(bot_ip == 0, 157 * 2**24 + 55 * 2**16 + 39 * 2**8, bot_ip)
    ip = np.where(bot, bot_ip + rng.integers(0, 32 * 256, n), human_ip)
    via_apache = (rng.random(n) >= reference.CLOUDFRONT_SHARE).astype(np.int8)
    start = day * SECONDS_PER_DAY + seconds_of_day(country, rng.random(n))
    referer = pick(rng, reference.EXTERNAL_REFERER_WEIGHTS, n)

    humans = np.nonzero(~bot)[0]
    first = _human_visits(rng, humans, start[humans])
    end = first.group_by("visitor").agg(pl.col("ts").max()).sort("visitor")
    comes_back = rng.random(end.height) < reference.RETURN_SESSION_SHARE
    back = end.filter(pl.Series(comes_back))
    again_start = back["ts"].to_numpy() + rng.integers(35 * 60, 6 * 3600, back.height)
    second = _human_visits(rng, back["visitor"].to_numpy(), again_start)
    bots = _bot_visits(rng, np.nonzero(bot)[0], start[bot])
    views = pl.concat([first, second, bots])
    return _page_details(rng, views, catalogue, ip, ua, country, via_apache, referer)


def _human_visits(rng: np.random.Generator, visitor: np.ndarray, start: np.ndarray) -> pl.DataFrame:
    """Page views of one visit per visitor, walking the funnel's Markov chain."""
    cdf = np.cumsum(np.asarray(reference.PAGE_TRANSITIONS), axis=1)
    state = pick(rng, reference.ENTRY_PAGE_WEIGHTS, len(visitor))
    alive = np.arange(len(visitor))
    when = start.astype(np.int64).copy()
    parts = []
    for step in range(reference.MAX_PAGES_PER_SESSION):
        if not len(alive):
            break
        parts.append((visitor[alive], np.full(len(alive), step), state[alive], when[alive]))
        nxt = (cdf[state[alive]] <= rng.random(len(alive))[:, None]).sum(axis=1)
        nxt = np.minimum(nxt, _EXIT)
        gap = np.clip(rng.lognormal(np.log(45), 1.0, len(alive)), 2, 25 * 60).astype(np.int64)
        keep = nxt != _EXIT
        alive, nxt, gap = alive[keep], nxt[keep], gap[keep]
        state[alive] = nxt
        when[alive] += gap
    return _frame(parts)


def _bot_visits(rng: np.random.Generator, visitor: np.ndarray, start: np.ndarray) -> pl.DataFrame:
    """Crawler visits: many category and product pages, seconds apart, no referer."""
    pages = rng.integers(3, 26, len(visitor))
    owner = np.repeat(np.arange(len(visitor)), pages)
    step = np.arange(len(owner)) - np.repeat(np.cumsum(pages) - pages, pages)
    gap = rng.integers(1, 20, len(owner))
    gap[step == 0] = 0
    running = np.cumsum(gap)
    offset = running - np.repeat(
        running[np.cumsum(pages) - pages] if len(pages) else running, pages
    )
    kind = np.where(rng.random(len(owner)) < 0.8, _PRODUCT, _CATEGORY)
    return _frame([(visitor[owner], step, kind, start[owner] + offset)])


def _frame(parts: list[tuple[np.ndarray, ...]]) -> pl.DataFrame:
    """Page views as a frame: visitor, step in visit, page type, time."""
    cols = list(zip(*parts, strict=True)) if parts else [[], [], [], []]
    return pl.DataFrame(
        {
            name: np.concatenate(c).astype(np.int64) if len(c) else np.zeros(0, np.int64)
            for name, c in zip(("visitor", "step", "page", "ts"), cols, strict=True)
        }
    )


def _page_details(
    rng: np.random.Generator,
    views: pl.DataFrame,
    catalogue: Catalogue,
    ip: np.ndarray,
    ua: np.ndarray,
    country: np.ndarray,
    via_apache: np.ndarray,
    referer: np.ndarray,
) -> pl.DataFrame:
    """URLs, status, bytes and referer of each page view (one row per log line)."""
    views = views.sort(["visitor", "ts", "step"])
    m = views.height
    page = views["page"].to_numpy()
    visitor = views["visitor"].to_numpy()
    product = catalogue.sample(rng, m)
    category = rng.integers(0, len(_category_slugs()), m)
    status = pick(rng, (0.965, 0.025, 0.008, 0.002), m)  # 200, 304, 404, 500
    missing = (status == 2) & (page == _PRODUCT)
    product = np.where(missing, len(catalogue) + rng.integers(1, 500, m), product)
    status = np.where((status == 2) & (page != _PRODUCT), 0, status)
    size = np.exp(rng.normal(0.0, 0.25, m)) * np.asarray(reference.PAGE_BYTES_MEDIAN)[page]
    size = np.select([status == 1, status == 2, status == 3], [0, 1_245, 612], size.astype(int))
    query_roll = rng.random(m)
    bot = ua[visitor] >= len(reference.USER_AGENTS)
    first = views["step"].to_numpy() == 0
    frame = views.with_columns(
        pl.Series("product", product),
        pl.Series("category", category),
        pl.Series("status", np.array([200, 304, 404, 500])[status]),
        pl.Series("bytes", size.astype(np.int64)),
        pl.Series("query_roll", query_roll),
        pl.Series("ip", ip[visitor]),
        pl.Series("ua", ua[visitor]),
        pl.Series("edge", country[visitor]),
        pl.Series("apache", via_apache[visitor]),
        pl.Series("external", np.where(bot, 0, referer[visitor])),
        pl.Series("entry", first),
    )
    slugs = pl.Series(_category_slugs())
    frame = frame.with_columns(
        pl.when(pl.col("page") == _HOME)
        .then(pl.lit("/"))
        .when(pl.col("page") == _CATEGORY)
        .then(slugs.gather(frame["category"]))
        .when(pl.col("page") == _PRODUCT)
        .then(pl.concat_str([pl.lit("/p/"), pl.col("product").cast(pl.String)]))
        .when(pl.col("page") == _CART)
        .then(pl.lit("/cart"))
        .when(pl.col("page") == _CONFIRMATION)
        .then(pl.lit("/checkout/complete"))
        .otherwise(pl.lit("/checkout"))
        .alias("path"),
        pl.when((pl.col("page") == _CATEGORY) & (pl.col("query_roll") < 0.2))
        .then(pl.lit("page=2"))
        .when((pl.col("page") == _CATEGORY) & (pl.col("query_roll") < 0.3))
        .then(pl.lit("sort=price_asc"))
        .when(pl.col("entry") & (pl.col("page") == _PRODUCT) & (pl.col("external") == 1))
        .then(pl.lit("utm_source=google&utm_medium=cpc"))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("query"),
    )
    url = pl.concat_str(
        [
            pl.lit(f"https://{reference.SITE_HOST}"),
            pl.col("path"),
            pl.when(pl.col("query").is_not_null())
            .then(pl.concat_str([pl.lit("?"), pl.col("query")]))
            .otherwise(pl.lit("")),
        ]
    )
    externals = pl.Series(reference.EXTERNAL_REFERERS)
    frame = frame.with_columns(
        pl.when(pl.col("entry"))
        .then(externals.gather(frame["external"]))
        .otherwise(url.shift(1))
        .alias("referer"),
        (pl.col("ts") // SECONDS_PER_DAY).alias("dt"),
    )
    return frame.select("ts", "ip", "ua", "edge", "apache", "path", "query", "referer", "status",
                        "bytes", "dt")  # fmt: skip


def _ip_expr() -> pl.Expr:
    octets = [(pl.col("ip") // 2**shift % 256).cast(pl.String) for shift in (24, 16, 8, 0)]
    return pl.concat_str(octets, separator=".")


def w3c_lines(views: pl.DataFrame) -> pl.Series:
    """CloudFront (W3C extended) log lines, tab-separated, `-` for empty."""
    edges = pl.Series([c.edge for c in reference.COUNTRIES])
    uas = _encoded_user_agents()
    moment = pl.from_epoch(pl.col("ts"), time_unit="s")
    return views.select(
        pl.concat_str(
            [
                moment.dt.strftime("%Y-%m-%d"),
                moment.dt.strftime("%H:%M:%S"),
                edges.gather(views["edge"]),
                pl.col("bytes").cast(pl.String),
                _ip_expr(),
                pl.lit("GET"),
                pl.lit(reference.CLOUDFRONT_HOST),
                pl.col("path"),
                pl.col("status").cast(pl.String),
                pl.col("referer"),
                uas.gather(views["ua"]),
                pl.col("query").fill_null("-"),
            ],
            separator="\t",
        ).alias("line")
    )["line"]


def apache_lines(views: pl.DataFrame) -> pl.Series:
    """Apache combined log lines."""
    uas = pl.Series(USER_AGENT_STRINGS)
    stamp = pl.from_epoch(pl.col("ts"), time_unit="s").dt.strftime("%d/%b/%Y:%H:%M:%S")
    target = pl.concat_str(
        [pl.col("path"), pl.concat_str([pl.lit("?"), pl.col("query")]).fill_null("")]
    )
    size = pl.when(pl.col("bytes") > 0).then(pl.col("bytes").cast(pl.String)).otherwise(pl.lit("-"))
    return views.select(
        pl.concat_str(
            [
                _ip_expr(),
                pl.lit(" - - ["),
                stamp,
                pl.lit(' +0000] "GET '),
                target,
                pl.lit(' HTTP/1.1" '),
                pl.col("status").cast(pl.String),
                pl.lit(" "),
                size,
                pl.lit(' "'),
                pl.col("referer"),
                pl.lit('" "'),
                uas.gather(views["ua"]),
                pl.lit('"'),
            ]
        ).alias("line")
    )["line"]
