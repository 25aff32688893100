with

source as (
    select * from {{ ref('raw_shop__order_items') }}
),

raw_orders as (
    select * from {{ ref('raw_shop__orders') }}
),

-- orders loaded since this model's last build: their lines are re-checked (FX quarantine)
raw_orders_loaded as (
    select try_cast(trim(order_id) as bigint) as order_id from {{ ref('raw_shop__orders') }}
    where {{ loaded_since_last_build(other_table=true) }}
),

currencies as (
    select currency_code from {{ ref('ref_currencies') }}
),

fx_rates as (
    select * from {{ ref('ref_fx_rates_monthly') }}
),

-- orders whose every export is in a known currency without an FX rate for its month: base_shop__orders
-- quarantines them ('no FX rate for …'), so their lines are quarantined here too, before intermediate
orders_typed as (
    select
        try_cast(trim(order_id) as bigint) as order_id,
        {{ try_parse_timestamp("trim(ordered_at)", '%Y-%m-%d %H:%M:%S') }} as ordered_at,
        upper(trim(currency_code)) as currency_code
    from raw_orders
    where _load_error is null
),

orders_checked as (
    select
        order_id,
        {{ fx_period('currency_code', 'ordered_at') }} as fx_period,
        coalesce(
            currency_code in (select c.currency_code from currencies as c)
            and {{ fx_rate_missing('currency_code', 'ordered_at', 'fx_rates') }},
            false
        ) as has_no_fx_rate
    from orders_typed
    where order_id is not null
),

orders_without_fx_rate as (
    select
        order_id,
        min(fx_period) as fx_period
    from orders_checked
    group by order_id
    having bool_and(has_no_fx_rate)
),

typed as (
    select
        order_id,
        line_number,
        product_id,
        quantity,
        unit_price,
        discount_amount,
        -- exact and wide enough for any int32 × decimal(12,2): the checks below cannot overflow
        cast(quantity as decimal(38, 2)) * unit_price as _line_value,
        (
            select o.fx_period from orders_without_fx_rate as o
            where o.order_id = source.order_id
        ) as _order_fx_period,
        order_id in (select o.order_id from raw_orders_loaded as o) as _order_loaded_since,
        {{ row_to_json('source') }} as _raw_record,
        _load_error,
        _source_file,
        _line_number,
        _loaded_at
    from source
),

checked as {{ not_materialized() }} (
    select
        *,
        {{ reject_reason([
            ["order_id is null", "order_id is missing"],
            ["line_number is null", "line_number is missing"],
            ["product_id is null", "product_id is missing"],
            ["quantity is null or quantity <= 0", "quantity is missing or not positive"],
            ["unit_price is null or unit_price < 0", "unit_price is missing or negative"],
            ["discount_amount is null or discount_amount < 0", "discount_amount is missing or negative"],
            ["discount_amount > _line_value", "discount_amount exceeds the line value"],
            ["_line_value > 999999999999.99", "line value quantity * unit_price does not fit decimal(14,2)", "_line_value"],
            ["_order_fx_period is not null", "order {} is quarantined: no FX rate for its currency and month", "order_id || ' (' || _order_fx_period || ')'"],
        ]) }} as _check_failures
    from typed
),

{{ quarantine_ctes('checked', ['order_id', 'line_number'], rescope='c._order_loaded_since') }},

final as (
    select
        order_id,
        line_number,
        product_id,
        quantity,
        unit_price,
        discount_amount,
        _reject_reason,
        _is_superseded,
        _raw_record,
        _rules_version,
        _checked_at,
        _source_file,
        _line_number,
        _loaded_at
    from versioned
)

select * from final
