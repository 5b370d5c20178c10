{#- Shared expressions of the billing-integrity models (docs/integrity.md). -#}

{#- A patient as the 837 identifies one: member id (NM1*IL) + date of birth (DMG). -#}
{% macro patient_key(member_id, birth_date) -%}
coalesce({{ member_id }}, '?') || '|' || coalesce(cast({{ birth_date }} as string), '?')
{%- endmacro %}

{#- One-proportion z of a rate against a peer rate over n trials; null when the peer rate is 0 or 1. -#}
{% macro one_proportion_z(rate, peer_rate, n) -%}
case
    when {{ peer_rate }} > 0 and {{ peer_rate }} < 1
        then ({{ rate }} - {{ peer_rate }}) / sqrt({{ peer_rate }} * (1 - {{ peer_rate }}) / {{ n }})
end
{%- endmacro %}

{#- Iglewicz-Hoaglin modified z against a peer median and MAD; null when the MAD is 0. -#}
{% macro robust_z(value, median, mad) -%}
case when {{ mad }} > 0 then 0.6745 * ({{ value }} - {{ median }}) / {{ mad }} end
{%- endmacro %}

{#- CMS small-cell suppression for shared views: counts from 1 to 10 are not shown. -#}
{% macro suppress_small(count, value=none) -%}
case when {{ count }} between 1 and 10 then null else {{ value if value else count }} end
{%- endmacro %}
