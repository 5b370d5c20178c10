{{ config(
    materialized=chain_materialization(),
    incremental_strategy='delete+insert',
    unique_key='claim_id',
    on_schema_change='fail',
    tags=['batch_incremental', 'chain_links'],
) }}
-- Which claim chain every claim id belongs to (docs/metrics.md, "Claim chains").  A chain is one claim as
-- the provider bills it over its life: the original CLM01, every corrected claim — also those sent under
-- a new CLM01 — and every 835 answer to any of them, from every payer.
--
-- A corrected claim (frequency 7 replacement or 8 void) names the payer claim control number it corrects in
-- REF*F8; when that number is the CLP07 an 835 gave another claim id, that claim id is its parent.  The
-- chain id is the root of the parent links (the original CLM01), followed up to `chain_link_hops` times (a
-- correction of a correction of ... — X12 RFIs 1945 and 2150: a corrected claim may carry a new CLM01, a
-- reversal echoes the original's).  835s join through the claim id they answer (CLP01).
--
-- Compared with what the table held: an incremental build writes only the claim ids that are new or moved to
-- another chain, with the chain they left (_previous_chain_id), so int_touched_chains can recompute both.
-- Only a claim id with a parent can sit in another chain than its own (every other one is the root of its
-- chain), so an incremental build follows the parents of those alone, plus the claim ids its new batches
-- name and those the table holds under another chain; the parent links are recomputed whole each build.
-- depends_on: {{ ref('int_build_batches') }}
with submissions as (
    select claim_id, frequency_code, original_reference, _source_batch from {{ ref('stg_x12__claims') }}
),

remits as (
    select claim_id, payer_claim_control_number, _source_batch from {{ ref('stg_x12__remit_claims') }}
),

parents as (
    select submissions.claim_id, min(remits.claim_id) as parent_claim_id
    from submissions
    inner join remits on remits.payer_claim_control_number = submissions.original_reference
    where submissions.frequency_code in ('7', '8') and remits.claim_id <> submissions.claim_id
    group by submissions.claim_id
),

nodes as (
    -- every claim id on a full build
    select claim_id from submissions where claim_id is not null and {{ in_unseen_batches('_source_batch') }}
    union
    select claim_id from remits where claim_id is not null and {{ in_unseen_batches('_source_batch') }}
    {%- if is_incremental() %}
    union
    select claim_id from parents
    union
    select claim_id from {{ this }} where chain_id <> claim_id
    {%- endif %}
),

{{ follow_parents('nodes', 'parents', var('chain_link_hops')) }}

computed as (
    select
        nodes.claim_id,
        roots.root_claim_id as chain_id,
        parents.parent_claim_id,
        case when parents.parent_claim_id is null then 'claim_id' else 'ref_f8' end as match_reason
    from nodes
    left join parents on parents.claim_id = nodes.claim_id
    inner join roots on roots.claim_id = nodes.claim_id
),

final as (
{%- if is_incremental() %}
    select computed.*, previous.chain_id as _previous_chain_id
    from computed
    left join {{ this }} as previous on previous.claim_id = computed.claim_id
    where previous.chain_id is null or previous.chain_id <> computed.chain_id
{%- else %}
    select computed.*, cast(null as {{ dbt.type_string() }}) as _previous_chain_id
    from computed
{%- endif %}
)

select *, {{ build_seq_stamp() }} as _build_seq from final
