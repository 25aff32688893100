with

source as (
    select * from {{ ref('raw_crm__customers') }}
),

countries as (
    select country_code from {{ ref('ref_countries') }}
),

parsed as (
    {{ select_json_records('source') }}
),

typed as (
    select
        try_cast(record ->> '$.customer_id' as bigint) as customer_id,
        trim(record ->> '$.first_name') as first_name,
        trim(record ->> '$.last_name') as last_name,
        lower(trim(record ->> '$.email')) as email,
        trim(record ->> '$.phone') as phone,
        try_cast(record ->> '$.date_of_birth' as date) as date_of_birth,
        lower(trim(record ->> '$.segment')) as segment,
        trim(record ->> '$.address.street') as street,
        trim(record ->> '$.address.city') as city,
        trim(record ->> '$.address.postal_code') as postal_code,
        upper(trim(record ->> '$.address.country_code')) as country_code,
        try_strptime(record ->> '$.signed_up_at', '%Y-%m-%d %H:%M:%S') as signed_up_at,
        try_strptime(record ->> '$.updated_at', '%Y-%m-%d %H:%M:%S') as updated_at,
        record ->> '$.date_of_birth' as _date_of_birth_text,
        record ->> '$.customer_id' as _customer_id_text,
        record ->> '$.updated_at' as _updated_at_text,
        record is null as _is_invalid_json,
        line as _raw_record,
        _load_error,
        _source_file,
        _line_number,
        _loaded_at
    from parsed
),

checked as (
    select
        *,
        {{ reject_reason([
            ["_is_invalid_json", "invalid JSON: not a JSON object"],
            ["not _is_invalid_json and customer_id is null", "customer_id is missing or not an integer", "_customer_id_text"],
            [cast_failed("_date_of_birth_text", "date_of_birth"), "date_of_birth is not a date", "_date_of_birth_text"],
            ["date_of_birth < date '1900-01-01' or date_of_birth > current_date", "date_of_birth is before 1900 or in the future", "date_of_birth"],
            ["not _is_invalid_json and updated_at is null", "updated_at is missing or not a timestamp", "_updated_at_text"],
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
        _source_file,
        _line_number,
        _loaded_at
    from versioned
)

select * from final
