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

{#- A procedure that carries a global surgical package (0/10/90 days), which is what makes a same-day E/M
    need modifier 25: the CPT Surgery section (10004-69990), less venipuncture (36415/36416, no global
    period).  Labs, imaging and most Medicine-section tests have none, so an E/M billed with them needs no
    25.  An approximation of the PFS global-days indicator (docs/integrity.md). -#}
{% macro has_global_surgery_period(code) -%}
({{ code }} between '10004' and '69990' and {{ code }} not in ('36415', '36416'))
{%- endmacro %}
