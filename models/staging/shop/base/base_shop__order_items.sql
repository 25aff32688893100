with

source as (
    select * from {{ ref('raw_shop__order_items') }}
),

typed as (
    select
        order_id,
        line_number,
        product_id,
        quantity,
        unit_price,
        discount_amount,
        cast(to_json(source) as varchar) as _raw_record,
        _load_error,
        _source_file,
        _line_number,
        _loaded_at
    from source
),

checked as (
    select
        *,
        {{ reject_reason([
            ["order_id is null", "order_id is missing"],
            ["line_number is null", "line_number is missing"],
            ["product_id is null", "product_id is missing"],
            ["quantity is null or quantity <= 0", "quantity is missing or not positive"],
            ["unit_price is null or unit_price < 0", "unit_price is missing or negative"],
            ["discount_amount is null or discount_amount < 0", "discount_amount is missing or negative"],
            ["discount_amount > quantity * unit_price", "discount_amount exceeds the line value"],
        ]) }} as _check_failures
    from typed
),

{{ quarantine_ctes('checked', ['order_id', 'line_number']) }},

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
        _source_file,
        _line_number,
        _loaded_at
    from versioned
)

select * from final
