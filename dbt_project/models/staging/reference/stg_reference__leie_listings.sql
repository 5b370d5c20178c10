-- Every row of every loaded LEIE snapshot (OIG UPDATED.csv), with the snapshot's date and an exclusion key
-- that names the same exclusion across snapshots: NPI (when OIG has one), names, date of birth, exclusion
-- type and date.
select
    npi,
    upper(last_name) as last_name,
    upper(first_name) as first_name,
    upper(business_name) as business_name,
    birth_date,
    upper(state) as state,
    general,
    specialty,
    exclusion_type,
    exclusion_date,
    reinstatement_date,
    waiver_date,
    waiver_state,
    snapshot_date,
    source_file,
    concat_ws(
        '|', coalesce(npi, ''), coalesce(upper(last_name), ''), coalesce(upper(first_name), ''),
        coalesce(upper(business_name), ''), coalesce(cast(birth_date as string), ''), coalesce(exclusion_type, ''),
        cast(exclusion_date as string)
    ) as exclusion_key
from {{ source('reference', 'leie') }}
