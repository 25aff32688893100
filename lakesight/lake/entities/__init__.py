"""One module per entity of the lake: customers, products, orders (with payments and shipments),
weblogs, reviews, and bad (the deliberately bad records)."""
