with

cls_columns as (
    select * from {{ sec_numbered(ref('sec_cls_columns')) }}
),

datasets as (
    select * from {{ ref('policy_datasets') }}
),

final as (
    select
        datasets.dataset,
        {{ sec_normalise('cls_columns.column_name') }} as column_name,
        {{ sec_normalise('cls_columns.mask') }} as mask,
        cls_columns.seed_row
    from cls_columns
    inner join datasets
        on {{ sec_normalise('cls_columns.dataset') }} = datasets.dataset
)

select * from final
