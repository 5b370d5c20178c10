{#
    Price lines against the contract (docs/metrics.md).  `lines` is a CTE name; `key` the one column
    identifying a line.  Adds allowed_per_unit (null when the payer has no rate for the code) and
    contract_basis:
      * fee_schedule   - seed contract_fee_schedule: the row for the line's payer and procedure code in force
                         on its service date, a modifier-specific row winning over the generic one;
      * percent_of_pfs - otherwise seed contract_pfs_terms: the payer pays a percentage of the Medicare PFS
                         national amount (stg_reference__pfs_rvu, loaded from the CMS PPRRVU file) of the
                         latest PFS year not after the service date; a 26 / TC row wins for that modifier.
#}
{% macro contract_price(lines, key, payer_id='payer_id', procedure_code='procedure_code',
                        modifier='modifier_1', service_date='service_date') %}
    select
        fs.*,
        coalesce(fs.fee_schedule_rate, pfs.pfs_rate) as allowed_per_unit,
        case
            when fs.fee_schedule_rate is not null then 'fee_schedule'
            when pfs.pfs_rate is not null then 'percent_of_pfs'
        end as contract_basis
    from (
        select l.*, c.allowed_per_unit as fee_schedule_rate
        from {{ lines }} as l
        left join {{ ref('contract_fee_schedule') }} as c
            on c.payer_id = l.{{ payer_id }}
            and c.procedure_code = l.{{ procedure_code }}
            and (c.modifier is null or c.modifier = l.{{ modifier }})
            and (c.effective_from is null or l.{{ service_date }} >= c.effective_from)
            and (c.effective_to is null or l.{{ service_date }} <= c.effective_to)
        qualify row_number() over (partition by {{ key }} order by c.modifier nulls last, c.effective_from desc) = 1
    ) as fs
    left join (
        select
            l.{{ key }} as priced_key,
            round(
                t.percent_of_pfs / 100
                * case when t.setting = 'facility' then p.facility_amount else p.nonfacility_amount end,
                2
            ) as pfs_rate
        from {{ lines }} as l
        inner join {{ ref('contract_pfs_terms') }} as t
            on t.payer_id = l.{{ payer_id }}
            and (t.effective_from is null or l.{{ service_date }} >= t.effective_from)
            and (t.effective_to is null or l.{{ service_date }} <= t.effective_to)
        inner join {{ ref('stg_reference__pfs_rvu') }} as p
            on p.hcpcs = l.{{ procedure_code }}
            and (p.modifier is null or p.modifier = l.{{ modifier }})
            and (p.pfs_year is null or p.pfs_year <= year(l.{{ service_date }}))
        qualify row_number() over (
            partition by l.{{ key }} order by p.modifier nulls last, p.pfs_year desc, t.effective_from desc
        ) = 1
    ) as pfs on pfs.priced_key = fs.{{ key }}
{% endmacro %}
