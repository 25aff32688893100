with

source as (
    select * from {{ ref('raw_crm__customers') }}
),

countries as (
    select country_code from {{ ref('ref_countries') }}
),

parsed as (
    {{ select_json_records('source', {
        '_customer_id_text': '$.customer_id',
        '_first_name_text': '$.first_name',
        '_last_name_text': '$.last_name',
        '_email_text': '$.email',
        '_phone_text': '$.phone',
        '_date_of_birth_text': '$.date_of_birth',
        '_segment_text': '$.segment',
        '_street_text': '$.address.street',
        '_city_text': '$.address.city',
        '_postal_code_text': '$.address.postal_code',
        '_country_code_text': '$.address.country_code',
        '_signed_up_at_text': '$.signed_up_at',
        '_updated_at_text': '$.updated_at',
    }) }}
),

typed as (
    select
        try_cast(_customer_id_text as bigint) as customer_id,
        trim(_first_name_text) as first_name,
        trim(_last_name_text) as last_name,
        lower(trim(_email_text)) as email,
        trim(_phone_text) as phone,
        try_cast(_date_of_birth_text as date) as date_of_birth,
        lower(trim(_segment_text)) as segment,
        trim(_street_text) as street,
        trim(_city_text) as city,
        trim(_postal_code_text) as postal_code,
        upper(trim(_country_code_text)) as country_code,
        {{ try_parse_timestamp("_signed_up_at_text", '%Y-%m-%d %H:%M:%S') }} as signed_up_at,
        {{ try_parse_timestamp("_updated_at_text", '%Y-%m-%d %H:%M:%S') }} as updated_at,
        _date_of_birth_text,
        _customer_id_text,
        _signed_up_at_text,
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
            ["not _is_invalid_json and customer_id is null", "customer_id is missing or not an integer", "_customer_id_text"],
            [cast_failed("_date_of_birth_text", "date_of_birth"), "date_of_birth is not a date", "_date_of_birth_text"],
            ["date_of_birth < date '1900-01-01' or date_of_birth > current_date", "date_of_birth is before 1900 or in the future", "date_of_birth"],
            ["not _is_invalid_json and updated_at is null", "updated_at is missing or not a timestamp", "_updated_at_text"],
            [cast_failed("_signed_up_at_text", "signed_up_at"), "signed_up_at is not a timestamp", "_signed_up_at_text"],
            ["not _is_invalid_json and (segment is null or segment not in ('consumer', 'small_business', 'corporate'))", "unknown segment"],
            ["not _is_invalid_json and (country_code is null or country_code not in (select c.country_code from countries as c))", "unknown country_code"],
            [is_in_future("updated_at"), "updated_at is in the future"],
        ]) }} as _check_failures
    from typed
),

{{ quarantine_ctes('checked', ['customer_id'], 'updated_at') }},

final as (
    select
        customer_id,
        first_name,
        last_name,
        email,
        phone,
        date_of_birth,
        segment,
        street,
        city,
        postal_code,
        country_code,
        signed_up_at,
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
