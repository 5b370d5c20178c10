{#- Where a professional line was given: SV105 when sent, else the claim's CLM05-1 (the 837P guide sends
    SV105 only when it differs from the claim's).  837I facility codes are bill types, not places. -#}
{% macro place_of_service(line, claim) -%}
    coalesce({{ line }}.place_of_service, case when {{ claim }}.claim_type = '837P' then {{ claim }}.facility_code end)
{%- endmacro %}
