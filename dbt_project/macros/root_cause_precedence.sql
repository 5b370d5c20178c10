{#- Tie-break between denial root causes of equal amount (docs/metrics.md): front-end causes first,
    because they usually trigger the downstream ones. -#}
{% macro root_cause_precedence(column) -%}
    case {{ column }}
        when 'ELIGIBILITY_REGISTRATION' then 1
        when 'AUTHORIZATION_REFERRAL' then 2
        when 'COORDINATION_OF_BENEFITS' then 3
        when 'DUPLICATE' then 4
        when 'TIMELY_FILING' then 5
        when 'PROVIDER_ENROLLMENT_CREDENTIALING' then 6
        when 'MISSING_INFO_BILLING_ERROR' then 7
        when 'CODING_BUNDLING' then 8
        when 'MEDICAL_NECESSITY' then 9
        when 'NON_COVERED_BENEFIT' then 10
        else 11
    end
{%- endmacro %}
