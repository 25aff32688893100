with

source as (
    select * from {{ ref('raw_catalog__products') }}
),

parsed as (
    {{ select_json_records('source', {
        '_product_id_text': '$.product_id',
        '_sku_text': '$.sku',
        '_product_name_text': '$.product_name',
        '_level_1_text': '$.category.level_1',
        '_level_2_text': '$.category.level_2',
        '_level_3_text': '$.category.level_3',
        '_list_price_text': '$.list_price',
        '_unit_cost_text': '$.unit_cost',
        '_updated_at_text': '$.updated_at',
    }) }}
),

typed as (
    select
        try_cast(_product_id_text as bigint) as product_id,
        trim(_sku_text) as sku,
        trim(_product_name_text) as product_name,
        trim(_level_1_text) as category_level_1,
        trim(_level_2_text) as category_level_2,
        trim(_level_3_text) as category_level_3,
        try_cast(_list_price_text as decimal(12, 2)) as list_price_usd,
        try_cast(_unit_cost_text as decimal(12, 2)) as unit_cost_usd,
        {{ try_parse_timestamp("_updated_at_text", '%Y-%m-%d %H:%M:%S') }} as updated_at,
        _product_id_text,
        _list_price_text,
        _unit_cost_text,
        _updated_at_text,
        record is null as _is_invalid_json,
        line as _raw_record,
        _load_error,
        _source_file,
        _line_number,
        _loaded_at
    from parsed
),

checked as {{ not_materialized() }} (
    select
        *,
        {{ reject_reason([
            ["_is_invalid_json", "invalid JSON: not a JSON object"],
            ["not _is_invalid_json and product_id is null", "product_id is missing or not an integer", "_product_id_text"],
            ["not _is_invalid_json and (list_price_usd is null or list_price_usd < 0)", "list_price is missing, not a number or negative", "_list_price_text"],
            ["not _is_invalid_json and (unit_cost_usd is null or unit_cost_usd < 0)", "unit_cost is missing, not a number or negative", "_unit_cost_text"],
            ["not _is_invalid_json and updated_at is null", "updated_at is missing or not a timestamp", "_updated_at_text"],
            [is_in_future("updated_at"), "updated_at is in the future"],
        ]) }} as _check_failures
    from typed
),

{{ quarantine_ctes('checked', ['product_id'], 'updated_at') }},

final as (
    select
        product_id,
        sku,
        product_name,
        category_level_1,
        category_level_2,
        category_level_3,
        list_price_usd,
        unit_cost_usd,
        updated_at,
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
