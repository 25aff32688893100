with

source as (
    select * from {{ ref('raw_shop__orders') }}
),

countries as (
    select country_code from {{ ref('ref_countries') }}
),

currencies as (
    select currency_code from {{ ref('ref_currencies') }}
),

statuses as (
    select status from {{ ref('ref_order_statuses') }}
),

channels as (
    select channel from {{ ref('ref_channels') }}
),

fx_rates as (
    select * from {{ ref('ref_fx_rates_monthly') }}
),

typed as (
    select
        try_cast(trim(order_id) as bigint) as order_id,
        try_cast(trim(customer_id) as bigint) as customer_id,
        {{ try_parse_timestamp("trim(ordered_at)", '%Y-%m-%d %H:%M:%S') }} as ordered_at,
        {{ try_parse_timestamp("trim(updated_at)", '%Y-%m-%d %H:%M:%S') }} as updated_at,
        lower(trim(status)) as status,
        lower(trim(channel)) as channel,
        upper(trim(currency_code)) as currency_code,
        upper(trim(country_code)) as country_code,
        -- the text as it arrived (the source's columns, not the typed aliases above)
        order_id as _order_id_text,
        customer_id as _customer_id_text,
        ordered_at as _ordered_at_text,
        updated_at as _updated_at_text,
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
            ["order_id is null", "order_id is missing or not an integer", "_order_id_text"],
            ["customer_id is null", "customer_id is missing or not an integer", "_customer_id_text"],
            ["ordered_at is null", "ordered_at is missing or not a timestamp", "_ordered_at_text"],
            ["updated_at is null", "updated_at is missing or not a timestamp", "_updated_at_text"],
            ["status is null or status not in (select s.status from statuses as s)", "unknown status"],
            ["channel is null or channel not in (select c.channel from channels as c)", "unknown channel"],
            ["currency_code is null or currency_code not in (select c.currency_code from currencies as c)", "unknown currency_code"],
            ["country_code is null or country_code not in (select c.country_code from countries as c)", "unknown country_code"],
            ["currency_code in (select c.currency_code from currencies as c) and " ~ fx_rate_missing("currency_code", "ordered_at", "fx_rates"), "no FX rate for {}", fx_period("currency_code", "ordered_at")],
            [is_in_future("ordered_at"), "ordered_at is in the future"],
        ]) }} as _check_failures
    from typed
),

{{ quarantine_ctes('checked', ['order_id'], 'updated_at') }},

final as (
    select
        order_id,
        customer_id,
        ordered_at,
        updated_at,
        status,
        channel,
        currency_code,
        country_code,
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
