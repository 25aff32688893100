{#-
    User-agent classification, in the order that matters: bots first, then tablets (iPad, Android
    without "Mobile"), then phones, then desktops. NULL or empty user agents are 'unknown'.
-#}
{% macro user_agent_device_class(ua) -%}
    case
        when {{ ua }} is null or {{ ua }} = '' then 'unknown'
        when {{ regex_matches(ua, '(?i)bot|crawler|spider|slurp|curl|wget|python-requests') }} then 'bot'
        when {{ regex_matches(ua, '(?i)ipad|tablet|kindle|silk') }} then 'tablet'
        when {{ regex_matches(ua, 'Android') }} and not {{ regex_matches(ua, 'Mobile') }} then 'tablet'
        when {{ regex_matches(ua, '(?i)mobile|iphone|ipod|android|windows phone') }} then 'mobile'
        else 'desktop'
    end
{%- endmacro %}

{% macro user_agent_browser(ua) -%}
    case
        when {{ ua }} is null or {{ ua }} = '' then 'unknown'
        when {{ regex_matches(ua, '(?i)bot|crawler|spider|slurp') }} then 'bot'
        when {{ regex_matches(ua, 'Edg/|Edge/') }} then 'Edge'
        when {{ regex_matches(ua, 'OPR/|Opera') }} then 'Opera'
        when {{ regex_matches(ua, 'SamsungBrowser/') }} then 'Samsung Internet'
        when {{ regex_matches(ua, 'Firefox/|FxiOS/') }} then 'Firefox'
        when {{ regex_matches(ua, 'Chrome/|CriOS/') }} then 'Chrome'
        when {{ regex_matches(ua, 'Safari/') }} then 'Safari'
        else 'other'
    end
{%- endmacro %}

{% macro user_agent_os(ua) -%}
    case
        when {{ ua }} is null or {{ ua }} = '' then 'unknown'
        when {{ regex_matches(ua, 'iPhone|iPad|iPod') }} then 'iOS'
        when {{ regex_matches(ua, 'Android') }} then 'Android'
        when {{ regex_matches(ua, 'Windows') }} then 'Windows'
        when {{ regex_matches(ua, 'Mac OS X|Macintosh') }} then 'macOS'
        when {{ regex_matches(ua, 'CrOS') }} then 'ChromeOS'
        when {{ regex_matches(ua, 'Linux') }} then 'Linux'
        else 'other'
    end
{%- endmacro %}
