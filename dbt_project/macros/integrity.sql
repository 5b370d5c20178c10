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

{#- The NCCI procedure-to-procedure pairs billed together: a column-2 line (col2) and a column-1 line (col1)
    for the same patient, provider and date, on any claims, with the edit (edits) in effect on that date
    (effective <= date < deletion) for the line's setting.  The FROM clause of the unbundling rule and of
    the modifier-59 opportunity set. -#}
{% macro ncci_pairs_billed_together(lines, edits) -%}
    from {{ lines }} as col2
    inner join {{ lines }} as col1
        on col1.patient_key = col2.patient_key
        and col1.provider_npi = col2.provider_npi
        and col1.service_date = col2.service_date
        and col1.line_key <> col2.line_key
    inner join {{ edits }} as edits
        on edits.column_1_code = col1.procedure_code
        and edits.column_2_code = col2.procedure_code
        and edits.setting = col2.edit_setting
        and col2.service_date >= edits.effective_date
        and (edits.deletion_date is null or col2.service_date < edits.deletion_date)
{%- endmacro %}

{#- The NCCI-associated modifiers (seed ncci_modifiers) as two lists, for ncci_line_modifiers: a one-row relation. -#}
{% macro ncci_modifier_groups() -%}
    select
        {{ list_agg('modifier') }} filter (where modifier_group = 'anatomic') as anatomic,
        {{ list_agg('modifier') }} filter (where modifier_group <> 'anatomic') as distinct_service
    from {{ ref('ncci_modifiers') }}
{%- endmacro %}

{#- A line's modifiers as NCCI reads them (needs modifier_groups in the query): a distinct-service modifier, and
    the anatomic sites it names. -#}
{% macro ncci_line_modifiers(modifiers) -%}
    {{ list_has_any(modifiers, 'modifier_groups.distinct_service') }} as has_distinct_service_modifier,
    {{ list_join_sorted(list_intersect(modifiers, 'modifier_groups.anatomic'), ',') }} as anatomic_sites
{%- endmacro %}

{#- An NCCI PTP pair the edit forbids: indicator 0, or indicator 1 with no modifier showing the services were
    distinct (docs/integrity.md, "ncci_unbundling"). -#}
{% macro ncci_pair_not_bypassed(col1, col2, edits) -%}
    ({{ edits }}.modifier_indicator = '0'
        or not (
            {{ col2 }}.has_distinct_service_modifier
            or ({{ col1 }}.anatomic_sites <> '' and {{ col2 }}.anatomic_sites <> ''
                and {{ col1 }}.anatomic_sites <> {{ col2 }}.anatomic_sites)
        ))
{%- endmacro %}

{#- Each line of `lines` with the MUE in effect for its code, setting and date (the MAI says how units count). -#}
{% macro lines_with_mue(lines) -%}
    select {{ lines }}.*, mue.mue_value, mue.adjudication_indicator
    from {{ lines }}
    inner join {{ ref('stg_reference__mue') }} as mue
        on mue.hcpcs = {{ lines }}.procedure_code
        and mue.table_type = {{ lines }}.edit_setting
        and {{ lines }}.service_date >= mue.effective_from
        and {{ lines }}.service_date < mue.effective_to
{%- endmacro %}
