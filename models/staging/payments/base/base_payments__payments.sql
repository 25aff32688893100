with

source as (
    select * from {{ ref('raw_payments__payments') }}
),

currencies as (
    select currency_code from {{ ref('ref_currencies') }}
),

typed as (
    select
        trim(payment_id) as payment_id,
        order_id,
        lower(trim(event_type)) as event_type,
        -- total: NaN, ±infinity and amounts beyond decimal(14,2) become NULL and are quarantined
        try_cast(amount as decimal(14, 2)) as amount,
        amount as _amount_sent,
        upper(trim(currency_code)) as currency_code,
        lower(trim(method)) as payment_method,
        {{ utc_timestamp('event_at') }} as event_at,
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
            ["payment_id is null or payment_id = ''", "payment_id is missing"],
            ["order_id is null", "order_id is missing"],
            ["event_type is null or event_type not in ('authorised', 'captured', 'refunded')", "unknown event_type"],
            ["_amount_sent is null or amount < 0", "amount is missing or negative", "_amount_sent"],
            [cast_failed("_amount_sent", "amount"), "amount is not a finite number within decimal(14,2)", "_amount_sent"],
            ["currency_code is null or currency_code not in (select c.currency_code from currencies as c)", "unknown currency_code"],
            ["payment_method is null or payment_method not in ('card', 'paypal', 'bank_transfer', 'gift_card')", "unknown payment method"],
            ["event_at is null", "event_at is missing"],
            [is_in_future("event_at"), "event_at is in the future"],
        ]) }} as _check_failures
    from typed
),

{{ quarantine_ctes('checked', ['payment_id']) }},

final as (
    select
        payment_id,
        order_id,
        event_type,
        amount,
        currency_code,
        payment_method,
        event_at,
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
