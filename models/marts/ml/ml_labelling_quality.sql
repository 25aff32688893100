{#-
    Ground Truth labelling quality per job and day: items, auto-labelled share, confidence
    distribution, and cost saved by auto-labelling at the prices of ref_labelling_prices. No review
    carries both an auto and a human label in the manifest, so agreement is measured against the
    majority human label of the same product in the same job (a proxy: a product's reviews share its
    quality), over the auto labels of products that have human labels.
-#}
with

labels as (
    select * from {{ ref('int_review_labels_resolved') }}
),

prices as (
    select * from {{ ref('ref_labelling_prices') }}
),

human_majority as (
    select
        labelling_job_name,
        product_id,
        {{ most_frequent('label_class_id') }} as human_label_class_id
    from labels
    where is_human_annotated
    group by labelling_job_name, product_id
),

scored as (
    select
        labels.labelling_job_name,
        cast(labels.labelled_at as date) as labelled_date,
        labels.is_human_annotated,
        labels.confidence,
        case
            when not labels.is_human_annotated and human_majority.human_label_class_id is not null
                then labels.label_class_id = human_majority.human_label_class_id
        end as agrees_with_humans
    from labels
    left join human_majority
        on
            labels.labelling_job_name = human_majority.labelling_job_name
            and labels.product_id = human_majority.product_id
),

final as (
    select
        scored.labelling_job_name,
        scored.labelled_date,
        count(*) as item_count,
        count(*) filter (where not scored.is_human_annotated) as auto_labelled_count,
        cast(avg(case when scored.is_human_annotated then 0 else 1 end) as double) as auto_labelled_share,
        cast(min(scored.confidence) as double) as confidence_min,
        {{ percentile_cont('scored.confidence', 0.25) }} as confidence_p25,
        {{ percentile_cont('scored.confidence', 0.5) }} as confidence_median,
        {{ percentile_cont('scored.confidence', 0.75) }} as confidence_p75,
        cast(max(scored.confidence) as double) as confidence_max,
        count(scored.agrees_with_humans) as compared_count,
        cast(
            avg(case when scored.agrees_with_humans then 1 else 0 end)
            filter (where scored.agrees_with_humans is not null)
            as double
        ) as auto_human_agreement,
        cast(
            count(*) filter (where not scored.is_human_annotated)
            * (any_value(prices.human_label_price_usd) - any_value(prices.auto_label_price_usd))
            as decimal(14, 4)
        ) as cost_saved_usd
    from scored
    left join prices
        on scored.labelling_job_name = prices.labelling_job_name
    group by scored.labelling_job_name, scored.labelled_date
)

select * from final
