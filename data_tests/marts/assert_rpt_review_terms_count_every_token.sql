{#-
    The word cloud counts every kept token once: per sentiment, the term counts add up to the
    tokens of its reviews, found here with another formulation (regexp_extract_all of runs of
    two or more letters, less the stop words). Returns the sentiments that disagree.
-#}
with

terms as (
    select
        sentiment,
        sum(term_count) as term_total
    from {{ ref('rpt_review_terms') }}
    group by sentiment
),

tokens as (
    select
        reviews.sentiment,
        {{ unnest_list("regexp_extract_all(lower(reviews.review_text), '[a-z]+', 0)") }} as token
    from {{ ref('int_review_labels_resolved') }} as reviews
    where reviews.sentiment is not null
),

counted as (
    select
        sentiment,
        count(*) as token_total
    from tokens
    where
        length(token) >= 2
        and token not in (select stop_words.word from {{ ref('ref_stop_words') }} as stop_words)
    group by sentiment
),

final as (
    select
        coalesce(terms.sentiment, counted.sentiment) as sentiment,
        terms.term_total,
        counted.token_total
    from terms
    full outer join counted
        on terms.sentiment = counted.sentiment
    where terms.term_total is distinct from counted.token_total
)

select * from final
