"""The deterministic data-lake generator (contract: docs/lake.md).

Modules: `reference` (reference data and rates), `tables` (layout and bad-record kinds), `rng`
(random streams per seed, stream and day), `volume` (seasonality and scale), `clock` (times of day),
`plan` (daily counts and id ranges), `entities/` (`customers`, `products`, `orders` with payments
and shipments, `weblogs`, `reviews`, `bad`: the deliberately bad records), `render` and `writers`
(published columns and file formats), `manifest` (`_lake.json`) and `generate` (the day loop);
the command is lakesight/cli/lake.py (`lakesight lake generate|append`).
"""
