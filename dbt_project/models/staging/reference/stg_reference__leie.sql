-- One row per exclusion ever seen in a loaded LEIE snapshot (docs/integrity.md), with when it ended.
-- OIG removes reinstated people from the monthly UPDATED file and leaves REINDATE blank there, so an
-- exclusion listed in one snapshot and missing from a later one counts as reinstated on that later
-- snapshot's date (the latest date it can have happened by); a REINDATE or waiver in any snapshot counts
-- too, the earlier of the two winning.  Rows loaded before snapshots were dated (no snapshot_date) never
-- imply a reinstatement.
with listings as (
    select * from {{ ref('stg_reference__leie_listings') }}
),

snapshots as (
    select distinct snapshot_date from listings where snapshot_date is not null
),

exclusions as (
    select
        listings.exclusion_key,
        any_value(listings.npi) as npi,
        any_value(listings.last_name) as last_name,
        any_value(listings.first_name) as first_name,
        any_value(listings.business_name) as business_name,
        any_value(listings.birth_date) as birth_date,
        max_by(listings.state, listings.snapshot_date) as state,
        max_by(listings.general, listings.snapshot_date) as general,
        max_by(listings.specialty, listings.snapshot_date) as specialty,
        any_value(listings.exclusion_type) as exclusion_type,
        any_value(listings.exclusion_date) as exclusion_date,
        max(listings.reinstatement_date) as listed_reinstatement_date,
        max(listings.waiver_date) as waiver_date,
        max(listings.waiver_state) as waiver_state,
        max(listings.snapshot_date) as last_listed_on,
        max_by(listings.source_file, listings.snapshot_date) as source_file
    from listings
    group by listings.exclusion_key
),

dropped as (
    select exclusions.exclusion_key, min(snapshots.snapshot_date) as dropped_on
    from exclusions
    inner join snapshots on snapshots.snapshot_date > exclusions.last_listed_on
    group by exclusions.exclusion_key
),

final as (
    select
        {{ star_except(['exclusion_key', 'listed_reinstatement_date'], 'exclusions') }},
        -- least() skips a null on both engines: whichever end is known, the earlier when both are
        least(exclusions.listed_reinstatement_date, dropped.dropped_on) as reinstatement_date,
        dropped.dropped_on as dropped_from_list_on
    from exclusions
    left join dropped on dropped.exclusion_key = exclusions.exclusion_key
)

select * from final
