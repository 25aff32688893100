with

source as (
    select * from {{ ref('raw_fulfilment__shipments') }}
),

typed as (
    select
        trim(shipment_id) as shipment_id,
        order_id,
        trim(carrier) as carrier,
        upper(trim(warehouse_code)) as warehouse_code,
        cast(shipped_at as timestamp) as shipped_at,
        cast(delivered_at as timestamp) as delivered_at,
        cast(coalesce(delivered_at, shipped_at) as timestamp) as event_at,
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
            ["shipment_id is null or shipment_id = ''", "shipment_id is missing"],
            ["order_id is null", "order_id is missing"],
            ["carrier is null or carrier = ''", "carrier is missing"],
            ["shipped_at is null", "shipped_at is missing"],
            ["delivered_at < shipped_at", "delivered_at is before shipped_at"],
            [is_in_future("shipped_at"), "shipped_at is in the future"],
            [is_in_future("delivered_at"), "delivered_at is in the future"],
        ]) }} as _check_failures
    from typed
),

{{ quarantine_ctes('checked', ['shipment_id'], 'event_at') }},

final as (
    select
        shipment_id,
        order_id,
        carrier,
        warehouse_code,
        shipped_at,
        delivered_at,
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
