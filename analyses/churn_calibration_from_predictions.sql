-- The churn model's calibration on the held-out period, recomputed from the predictions it wrote
-- back (source ml.churn_predictions) and the labels of the feature mart: per tenth of predicted
-- probability, rows, mean prediction and observed churn rate, as on the model card. Compile with
-- `dbt compile -s churn_calibration_from_predictions` after `lakesight ml train`.
with

predictions as (
    select * from {{ source('ml', 'churn_predictions') }}
),

features as (
    select * from {{ ref('ml_customer_churn_features') }}
),

held_out as (
    select
        predictions.churn_probability,
        features.is_churned,
        least(floor(predictions.churn_probability * 10), 9) as bin_number
    from predictions
    inner join features
        on
            predictions.customer_id = features.customer_id
            and predictions.cutoff_date = features.cutoff_date
    where predictions.is_held_out
),

final as (
    select
        bin_number / 10.0 as bin_low,
        (bin_number + 1) / 10.0 as bin_high,
        count(*) as row_count,
        avg(churn_probability) as mean_predicted,
        avg(cast(is_churned as integer)) as observed_rate
    from held_out
    group by bin_number
)

select * from final
order by bin_low
