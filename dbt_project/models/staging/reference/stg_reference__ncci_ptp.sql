-- One row per edit (column 1, column 2, effective date, setting).  Quarterly files repeat every edit;
-- a later file that carries a deletion date for an edit wins over an earlier one that showed it active.
with source as (
    select * from {{ source('reference', 'ncci_ptp') }}
),

edits as (
    select
        column_1_code,
        column_2_code,
        setting,
        effective_date,
        min(deletion_date) as deletion_date,
        min_by(modifier_indicator, coalesce(deletion_date, date '9999-12-31')) as modifier_indicator,
        min(source_file) as source_file
    from source
    group by column_1_code, column_2_code, setting, effective_date
)

select * from edits
