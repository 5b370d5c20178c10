-- Net A/R (macro net_open_balance) on hand-computed cases, the same on every engine: 84 x 279.50 / 560.00 =
-- 41.925 exactly, rounded half up to 41.93 (a double product rounded it down on DuckDB and up on Spark);
-- 100 x 50 / 300 = 16.67; no expected allowed or no charge leaves the open balance. Rows returned = failures.
with cases as (
    select 84.00 as open_balance, 279.50 as expected_allowed, 560.00 as charge, 41.93 as expected
    union all select 100.00, 50.00, 300.00, 16.67
    union all select 100.00, 0.00, 300.00, 0.00
    union all select 75.50, null, 300.00, 75.50
    union all select 75.50, 10.00, 0.00, 75.50
),

computed as (
    select
        *,
        {{ net_open_balance('cast(open_balance as decimal(18, 2))', 'cast(expected_allowed as decimal(18, 2))',
                            'cast(charge as decimal(18, 2))') }} as net
    from cases
)

select * from computed where net <> cast(expected as decimal(18, 2))
