{#-
    Threshold sweep per Ground Truth job: accepting auto labels only at confidence >= threshold
    (0.50, 0.55, … 0.95), the share of auto-labelled items kept (coverage) and their agreement with
    the product's majority human label (the accuracy proxy of ml_labelling_quality).
-#}
with

labels as (
    select * from {{ ref('int_review_labels_resolved') }}
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

auto_labels as (
    select
        labels.labelling_job_name,
        labels.confidence,
        case
            when human_majority.human_label_class_id is not null
                then labels.label_class_id = human_majority.human_label_class_id
        end as agrees_with_humans
    from labels
    left join human_majority
        on
            labels.labelling_job_name = human_majority.labelling_job_name
            and labels.product_id = human_majority.product_id
    where not labels.is_human_annotated
),

thresholds as (
    select cast(steps.step / 100.0 as decimal(4, 2)) as confidence_threshold
    from range(50, 100, 5) as steps (step)
),

final as (
    select
        auto_labels.labelling_job_name,
        thresholds.confidence_threshold,
        count(*) filter (where auto_labels.confidence >= thresholds.confidence_threshold) as kept_count,
        cast(
            avg(case when auto_labels.confidence >= thresholds.confidence_threshold then 1 else 0 end)
            as double
        ) as coverage,
        cast(avg(case when auto_labels.agrees_with_humans then 1 else 0 end) filter (
            where auto_labels.confidence >= thresholds.confidence_threshold
            and auto_labels.agrees_with_humans is not null
        ) as double) as accuracy
    from auto_labels
    cross join thresholds
    group by auto_labels.labelling_job_name, thresholds.confidence_threshold
)

select * from final
