{#-
    Review terms by sentiment (QuickSight word cloud): one row per term and sentiment label.
    Tokenised in SQL: the review text lower-cased, split on every character that is not an ASCII
    letter; tokens of one letter and the stop words of ref_stop_words are dropped (negations such
    as "not" and "never" are not stop words: they carry sentiment). term_count counts tokens, so
    the counts of a sentiment add up to its number of tokens.
-#}
with

reviews as (
    select * from {{ ref('int_review_labels_resolved') }}
    where sentiment is not null
),

stop_words as (
    select * from {{ ref('ref_stop_words') }}
),

tokens as (
    select
        review_id,
        sentiment,
        {{ unnest_list(split_regex('lower(review_text)', '[^a-z]+')) }} as term
    from reviews
),

kept as (
    select tokens.*
    from tokens
    where
        length(tokens.term) > 1
        and tokens.term not in (select stop_words.word from stop_words)
),

final as (
    select
        term,
        sentiment,
        cast(count(*) as integer) as term_count,
        cast(count(distinct review_id) as integer) as review_count
    from kept
    group by term, sentiment
)

select * from final
