{#
    Price lines against the contract_fee_schedule seed (DOMAIN.md §1.11): the row for the line's payer and
    procedure code in force on its service date, a modifier-specific row winning over the generic one
    (modifier left blank).  `lines` is a CTE name; `key` the column(s) identifying one line.  Adds
    allowed_per_unit (null when the payer has no rate for the code).
#}
{% macro contract_price(lines, key, payer_id='payer_id', procedure_code='procedure_code',
                        modifier='modifier_1', service_date='service_date') %}
    select l.*, c.allowed_per_unit
    from {{ lines }} as l
    left join {{ ref('contract_fee_schedule') }} as c
        on c.payer_id = l.{{ payer_id }}
        and c.procedure_code = l.{{ procedure_code }}
        and (c.modifier is null or c.modifier = l.{{ modifier }})
        and (c.effective_from is null or l.{{ service_date }} >= c.effective_from)
        and (c.effective_to is null or l.{{ service_date }} <= c.effective_to)
    qualify row_number() over (partition by {{ key }} order by c.modifier nulls last, c.effective_from desc) = 1
{% endmacro %}
