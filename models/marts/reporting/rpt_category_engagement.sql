{#-
    Category engagement (the non-sales axes of the QuickSight radar chart): one row per top-level
    category, from reviews and web sessions only — no order, country or channel, so it is a public
    dataset every principal may read (the sales axes are computed per principal from the order
    lines of its own extract at render time).
      positive_reviews  share of the category's labelled reviews whose sentiment is positive
      conversion_rate   share of web sessions that viewed a product of the category and converted
    A measure without data for a category (no reviews, no sessions) is NULL, not 0.
-#}
with

products as (
    select * from {{ ref('dim_products') }}
),

reviews as (
    select * from {{ ref('int_review_labels_resolved') }}
),

requests as (
    select * from {{ ref('int_web_sessions_sessionised') }}
),

sessions as (
    select * from {{ ref('fct_web_sessions') }}
),

sentiment as (
    select
        products.category_level_1,
        count(*) as review_count,
        avg(case when reviews.sentiment = 'positive' then 1 else 0 end) as positive_reviews
    from reviews
    inner join products
        on reviews.product_id = products.product_id
    where reviews.sentiment is not null
    group by products.category_level_1
),

product_views as (
    select distinct
        requests.session_id,
        products.category_level_1
    from requests
    inner join products
        on try_cast(regexp_extract(requests.url_path, '^/p/([0-9]+)$', 1) as bigint) = products.product_id
    where requests.page_type = 'product'
),

conversions as (
    select
        product_views.category_level_1,
        count(*) as session_count,
        avg(case when sessions.converted then 1 else 0 end) as conversion_rate
    from product_views
    inner join sessions
        on product_views.session_id = sessions.session_id
    group by product_views.category_level_1
),

categories as (
    select distinct category_level_1 from products
),

final as (
    select
        categories.category_level_1,
        cast(coalesce(sentiment.review_count, 0) as integer) as review_count,
        cast(sentiment.positive_reviews as double) as positive_reviews,
        cast(coalesce(conversions.session_count, 0) as integer) as session_count,
        cast(conversions.conversion_rate as double) as conversion_rate
    from categories
    left join sentiment on categories.category_level_1 = sentiment.category_level_1
    left join conversions on categories.category_level_1 = conversions.category_level_1
)

select * from final
