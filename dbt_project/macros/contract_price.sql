{#
    Price lines against the contract (docs/metrics.md).  `lines` is a CTE name.  Adds fee_schedule_rate,
    allowed_per_unit (null when the payer has no rate for the code) and contract_basis:
      * fee_schedule   - seed contract_fee_schedule: the row for the line's payer and procedure code in force
                         on its service date, a modifier-specific row winning over the generic one;
      * percent_of_pfs - otherwise seed contract_pfs_terms: the payer pays a percentage of the Medicare PFS
                         national amount (stg_reference__pfs_rvu, loaded from the CMS PPRRVU file) of the
                         latest PFS year not after the service date; a 26 / TC row wins for that modifier.
    A price depends only on (payer, procedure code, modifier, service date), and a year's book has some
    hundred times fewer of those than lines (10M claims: 140k against 16.5M), so each distinct combination
    is priced once and the lines take their price by an equality join: ranking the candidate rates of every
    line was a window over all lines, which ran out of memory at ten million claims.
#}
{% macro contract_price(lines, payer_id='payer_id', procedure_code='procedure_code', modifier='modifier_1',
                        service_date='service_date') %}
    {%- set combo = 'priced_payer_id, priced_procedure_code, priced_modifier, priced_on_date' %}
    {%- set combos %}
        select distinct
            {{ payer_id }} as priced_payer_id,
            {{ procedure_code }} as priced_procedure_code,
            {{ modifier }} as priced_modifier,
            {{ service_date }} as priced_on_date
        from {{ lines }}
    {%- endset %}
    select l.*, prices.fee_schedule_rate, prices.allowed_per_unit, prices.contract_basis
    from {{ lines }} as l
    left join (
        select
            fs.*,
            coalesce(fs.fee_schedule_rate, pfs.pfs_rate) as allowed_per_unit,
            case
                when fs.fee_schedule_rate is not null then 'fee_schedule'
                when pfs.pfs_rate is not null then 'percent_of_pfs'
            end as contract_basis
        from (
            select combos.*, c.allowed_per_unit as fee_schedule_rate
            from ({{ combos }}) as combos
            left join {{ ref('contract_fee_schedule') }} as c
                on c.payer_id = combos.priced_payer_id
                and c.procedure_code = combos.priced_procedure_code
                and (c.modifier is null or c.modifier = combos.priced_modifier)
                and (c.effective_from is null or combos.priced_on_date >= c.effective_from)
                and (c.effective_to is null or combos.priced_on_date <= c.effective_to)
            qualify row_number() over (
                partition by {{ combo }} order by c.modifier nulls last, c.effective_from desc
            ) = 1
        ) as fs
        left join (
            select
                combos.*,
                round(
                    t.percent_of_pfs / 100
                    * case when t.setting = 'facility' then p.facility_amount else p.nonfacility_amount end,
                    2
                ) as pfs_rate
            from ({{ combos }}) as combos
            inner join {{ ref('contract_pfs_terms') }} as t
                on t.payer_id = combos.priced_payer_id
                and (t.effective_from is null or combos.priced_on_date >= t.effective_from)
                and (t.effective_to is null or combos.priced_on_date <= t.effective_to)
            inner join {{ ref('stg_reference__pfs_rvu') }} as p
                on p.hcpcs = combos.priced_procedure_code
                and (p.modifier is null or p.modifier = combos.priced_modifier)
                and (p.pfs_year is null or p.pfs_year <= year(combos.priced_on_date))
            qualify row_number() over (
                partition by {{ combo }} order by p.modifier nulls last, p.pfs_year desc, t.effective_from desc
            ) = 1
        ) as pfs
            on pfs.priced_payer_id is not distinct from fs.priced_payer_id
            and pfs.priced_procedure_code is not distinct from fs.priced_procedure_code
            and pfs.priced_modifier is not distinct from fs.priced_modifier
            and pfs.priced_on_date is not distinct from fs.priced_on_date
    ) as prices
        on prices.priced_payer_id is not distinct from l.{{ payer_id }}
        and prices.priced_procedure_code is not distinct from l.{{ procedure_code }}
        and prices.priced_modifier is not distinct from l.{{ modifier }}
        and prices.priced_on_date is not distinct from l.{{ service_date }}
{% endmacro %}
