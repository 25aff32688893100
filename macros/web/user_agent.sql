{#-
    User-agent classification, in the order that matters: bots first, then tablets (iPad, Android
    without "Mobile"), then phones, then desktops. NULL or empty user agents are 'unknown'.
-#}
{% macro user_agent_device_class(ua) -%}
    case
        when {{ ua }} is null or {{ ua }} = '' then 'unknown'
        when regexp_matches({{ ua }}, '(?i)bot|crawler|spider|slurp|curl|wget|python-requests') then 'bot'
        when regexp_matches({{ ua }}, '(?i)ipad|tablet|kindle|silk') then 'tablet'
        when regexp_matches({{ ua }}, 'Android') and not regexp_matches({{ ua }}, 'Mobile') then 'tablet'
        when regexp_matches({{ ua }}, '(?i)mobile|iphone|ipod|android|windows phone') then 'mobile'
        else 'desktop'
    end
{%- endmacro %}

{% macro user_agent_browser(ua) -%}
    case
        when {{ ua }} is null or {{ ua }} = '' then 'unknown'
        when regexp_matches({{ ua }}, '(?i)bot|crawler|spider|slurp') then 'bot'
        when regexp_matches({{ ua }}, 'Edg/|Edge/') then 'Edge'
        when regexp_matches({{ ua }}, 'OPR/|Opera') then 'Opera'
        when regexp_matches({{ ua }}, 'SamsungBrowser/') then 'Samsung Internet'
        when regexp_matches({{ ua }}, 'Firefox/|FxiOS/') then 'Firefox'
        when regexp_matches({{ ua }}, 'Chrome/|CriOS/') then 'Chrome'
        when regexp_matches({{ ua }}, 'Safari/') then 'Safari'
        else 'other'
    end
{%- endmacro %}

{% macro user_agent_os(ua) -%}
    case
        when {{ ua }} is null or {{ ua }} = '' then 'unknown'
        when regexp_matches({{ ua }}, 'iPhone|iPad|iPod') then 'iOS'
        when regexp_matches({{ ua }}, 'Android') then 'Android'
        when regexp_matches({{ ua }}, 'Windows') then 'Windows'
        when regexp_matches({{ ua }}, 'Mac OS X|Macintosh') then 'macOS'
        when regexp_matches({{ ua }}, 'CrOS') then 'ChromeOS'
        when regexp_matches({{ ua }}, 'Linux') then 'Linux'
        else 'other'
    end
{%- endmacro %}
