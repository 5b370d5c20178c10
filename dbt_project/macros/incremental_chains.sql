{#
    Incremental marts keyed on claim chains (docs/metrics.md).  A new day of files touches a few thousand
    chains out of a million, and every chain-level fact (adjudication order, denial outcome, open balance at
    each month-end, the current submission's lines) depends only on the rows of its own chain.  So a chain
    model recomputes just the touched chains (int_touched_chains): a pre-hook deletes their rows, the body
    reads only those chains, dbt appends the result.  A chain that lost its last row (a corrected claim
    relinked to another chain) is deleted and not re-inserted.

    Which batches are new: int_build_batches numbers every raw batch with the build that first read it.
    Each chain model stamps its rows with the ledger number of the build that wrote them (_build_seq); the
    touched chains are those of batches numbered above the smallest stamp any chain model holds, so a model
    skipped by a partial build (`--select`) catches up in the next one (recomputing a chain twice is harmless).
    A batch-keyed model (rows that depend only on their own batch) appends the batches above its own stamp.

    DuckDB only: dbt-spark cannot delete from Parquet tables, so on Spark these models are plain tables
    (chain_materialization()), which gives the same rows.  `--full-refresh` rebuilds everything and must give
    the same rows as any sequence of incremental builds (tests/dbt/test_incremental.py).
#}

{% macro chain_materialization() -%}
    {{ return('incremental' if target.type == 'duckdb' else 'table') }}
{%- endmacro %}

{% macro _scalar(sql, default) -%}
    {%- if not execute -%}{{ return(default) }}{%- endif -%}
    {%- set found = run_query(sql) -%}
    {%- set value = found.columns[0].values()[0] if found is not none and found.rows | length else none -%}
    {{ return(default if value is none else value) }}
{%- endmacro %}

{% macro _relation(identifier) -%}
    {%- set where = this if this is not none else target -%}  {#- a unit test has no `this` -#}
    {{ return(adapter.get_relation(database=where.database, schema=where.schema, identifier=identifier)) }}
{%- endmacro %}

{#  The ledger number of this build: the stamp a chain model writes on its rows (a constant, read when the
    model runs; the ledger was built before it, through int_touched_chains). #}
{% macro _build_seq() -%}
    {%- set ledger = _relation('int_build_batches') if execute else none -%}
    {{ return(_scalar('select max(build_seq) from ' ~ ledger, 0) if ledger is not none else 0) }}
{%- endmacro %}

{% macro build_seq_stamp() -%}
    cast({{ _build_seq() }} as bigint)
{%- endmacro %}

{#  A chain model's stamp: the ledger number of the last build that ran it.  Its rows carry it (_build_seq),
    and so does the table's comment (record_build_seq, a post-hook), which an empty table keeps too: a model
    with nothing to hold (no 277CAs loaded, say) must not look unbuilt, or every build would recompute every
    chain for it.  -1 when neither is there (it sees every batch). #}
{% macro _stamp_sql(relation) -%}
    {%- if target.type != 'duckdb' -%}  {#- plain tables there (chain_materialization), no comment to read -#}
    select coalesce(max(_build_seq), -1) as s from {{ relation }}
    {%- else -%}
    select greatest(
        coalesce((select max(_build_seq) from {{ relation }}), -1),
        coalesce((select try_cast(comment as bigint) from duckdb_tables()
                  where database_name = '{{ relation.database }}' and schema_name = '{{ relation.schema }}'
                      and table_name = '{{ relation.identifier }}'), -1)
    ) as s
    {%- endif -%}
{%- endmacro %}

{% macro record_build_seq() -%}
    {%- if target.type == 'duckdb' and model.config.materialized == 'incremental' -%}
        comment on table {{ this }} is '{{ _build_seq() }}'
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{% macro _own_stamp() -%}
    {{ return(_scalar(_stamp_sql(this), -1) if is_incremental() else -1) }}
{%- endmacro %}

{#  The smallest stamp the chain models (tag chain_incremental) hold (-1 when one holds none: it sees every
    batch); none when none of them exists yet (a build from nothing). #}
{% macro chain_models_stamp() -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set selects = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and 'chain_incremental' in node.tags -%}
        {%- set rel = _relation(node.alias) -%}
        {%- if rel is not none -%}
            {%- do selects.append(_stamp_sql(rel)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(_scalar('select min(s) from (' ~ selects | join(' union all ') ~ ')', -1) if selects else none) }}
{%- endmacro %}

{#  The encounters int_encounter_claims rebuilt (a new line, or an 837 carrying their claim id) since this
    model last ran: what an encounter-level row of it depends on. #}
{% macro encounters_rebuilt_since_own_stamp() -%}
    select encounter_id from {{ ref('int_encounter_claims') }} where _build_seq > {{ _own_stamp() }}
{%- endmacro %}

{#  The batches a batch-keyed model has not appended yet, as a predicate on its input (true on a full build). #}
{% macro in_unseen_batches(column) -%}
    {%- if is_incremental() -%}
        {%- set ledger = _relation('int_build_batches') -%}
        {%- set found = run_query('select _source_batch from ' ~ ledger ~ ' where build_seq > ' ~ _own_stamp()) if execute else none -%}
        {%- set ids = found.columns[0].values() if found is not none else [] -%}
        {{ column }} in ({% for i in ids %}'{{ i }}'{% if not loop.last %}, {% endif %}{% endfor %}{% if not ids %}''{% endif %})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#  What every incremental model filters and deletes by, in one place: on an incremental run the predicate
    (and a pre-hook deleting the rows it matches), on a full build every row (and nothing to delete). #}
{% macro when_incremental(predicate) -%}
    {{ return(predicate if is_incremental() else 'true') }}
{%- endmacro %}

{% macro delete_when_incremental(predicate) -%}
    {{ return('delete from ' ~ this ~ ' where ' ~ predicate if is_incremental() else 'select 1') }}
{%- endmacro %}

{#  In a chain model's body: a predicate on its inputs, true for every row on a full build. #}
{% macro in_touched_chains(column) -%}
    {{ return(when_incremental(column ~ ' in (select chain_id from ' ~ ref('int_touched_chains') ~ ')')) }}
{%- endmacro %}

{#  int_claim_chain_links narrowed to the chains `chain_ids` (a query; none: every link), to join the claims
    to.  Narrowed before the join: DuckDB applies an IN (subquery) filter on a joined table's column after the
    join, which then pairs every claim of the warehouse with its link first. #}
{% macro chain_links_in(chain_ids=none) -%}
    {%- if chain_ids is none -%}
        {{ ref('int_claim_chain_links') }}
    {%- else -%}
        (select * from {{ ref('int_claim_chain_links') }} where chain_id in ({{ chain_ids }}))
    {%- endif -%}
{%- endmacro %}

{#  The touched chains' links on an incremental build, every link on a full one. #}
{% macro touched_chain_links() -%}
    {{ return(chain_links_in('select chain_id from ' ~ ref('int_touched_chains') if is_incremental() else none)) }}
{%- endmacro %}

{#  pre_hook of a chain model: delete the touched chains' rows (key: the model's chain column). #}
{% macro delete_touched_chains(key) -%}
    {{ return(delete_when_incremental(in_touched_chains(key))) }}
{%- endmacro %}

{#  The config of a chain model, in one place.  key: its chain column (rows stamped with _build_seq, the
    touched chains' rows deleted first); none for a batch-keyed model.  delete: the pre-hook that deletes the
    rows this build rewrites, when it is not the touched chains' (a model keyed by patient, claim id or batch).
    pre_hook / post_hook: one more hook each, run after the delete and after the stamp. #}
{% macro chain_model_config(key=none, delete=none, pre_hook=none, post_hook=none) -%}
    {%- set config = {
        'materialized': chain_materialization(),
        'incremental_strategy': 'append',
        'on_schema_change': 'fail',
        'tags': ['chain_incremental'] if key else ['batch_incremental'],
    } -%}
    {%- set pre = ([delete] if delete else (["{{ delete_touched_chains('" ~ key ~ "') }}"] if key else []))
        + ([pre_hook] if pre_hook else []) -%}
    {%- set post = (['{{ record_build_seq() }}'] if key else []) + ([post_hook] if post_hook else []) -%}
    {%- if pre -%}{%- do config.update({'pre_hook': pre}) -%}{%- endif -%}
    {%- if post -%}{%- do config.update({'post_hook': post}) -%}{%- endif -%}
    {{ return(config) }}
{%- endmacro %}

{#
    Claim-id-keyed models (the acknowledgments: a 277CA answers a claim id, a submission is answered through
    its claim id and its transaction set) recompute every claim id of a touched chain: the touched chain ids
    themselves (which hold every claim id a new batch names, touched_chain_ids) and the claim ids now linked
    to a touched chain (a claim id that moved is linked to its new chain, which is touched).
#}
{% macro touched_claim_ids() -%}
    select chain_id as claim_id from {{ ref('int_touched_chains') }}
    union all
    select claim_id from {{ ref('int_claim_id_chains') }}
    where chain_id in (select chain_id from {{ ref('int_touched_chains') }})
{%- endmacro %}

{% macro in_touched_claim_ids(column) -%}
    {{ return(when_incremental(column ~ ' in (' ~ touched_claim_ids() ~ ')')) }}
{%- endmacro %}

{#
    Patient-keyed models (duplicate lines: a duplicate is two chains of one patient; the line-level integrity
    rules: NCCI, MUE, modifier 25, each about one patient's services of a day) recompute every patient with a
    claim in a touched chain, before or after this build's relinking: the patients of the claims linked to a
    touched chain now, and of the claims whose id a touched chain had (int_touched_patients, computed once per
    build).  A replacement claim that corrects the member id touches both patients, since both submissions
    stay in the chain.
#}
{% macro touched_patients() -%}
    select patient_key from {{ ref('int_touched_patients') }}
{%- endmacro %}

{% macro in_touched_patients(column) -%}
    {{ return(when_incremental(column ~ ' in (' ~ touched_patients() ~ ')')) }}
{%- endmacro %}

{% macro delete_touched_patients() -%}
    {{ return(delete_when_incremental(in_touched_patients('patient_key'))) }}
{%- endmacro %}

{#
    The chains touched by batches numbered above `stamp`: the chains of every claim id with a claim, remit,
    acknowledgment, encounter or patient payment in them, and every chain a claim id joined or left since
    (int_claim_id_chains writes the claim ids that moved, with the chain they left: a remit's CLP07 can
    link a corrected claim sent under a new CLM01 — and everything below it — to another chain).
#}
{% macro touched_chain_ids(stamp) -%}
    with new_batches as (
        select _source_batch from {{ ref('int_build_batches') }} where build_seq > {{ stamp }}
    ),

    claim_ids as (
        select claim_id from {{ ref('stg_x12__claims') }}
        where _source_batch in (select _source_batch from new_batches)
        union
        select claim_id from {{ ref('stg_x12__remit_claims') }}
        where _source_batch in (select _source_batch from new_batches)
        union
        select claim_id from {{ ref('stg_encounters__encounter_lines') }}
        where _source_batch in (select _source_batch from new_batches) and claim_id is not null
        union
        -- a patient payment moves the patient's balance: the claim it names, or the claim that billed the
        -- encounter it names; every version of a payment id sent again (it may have named another claim)
        select payments.claim_id from {{ ref('stg_patient_payments__payments') }} as payments
        where payments.payment_id in (
            select payment_id from {{ ref('stg_patient_payments__payments') }}
            where _source_batch in (select _source_batch from new_batches)
        ) and payments.claim_id is not null
        union
        select encounters.claim_id
        from {{ ref('stg_patient_payments__payments') }} as payments
        inner join {{ ref('stg_encounters__encounter_lines') }} as encounters
            on encounters.encounter_id = payments.encounter_id
        where payments._source_batch in (select _source_batch from new_batches) and encounters.claim_id is not null
        union
        -- an acknowledgment decides whether a submission was billed at all (macros/acknowledgments.sql): the
        -- claims a new 277CA names, and every claim of a transaction set a new 999 answers
        select claim_id from {{ ref('stg_x12__claim_acknowledgments') }}
        where _source_batch in (select _source_batch from new_batches) and claim_id is not null
        union
        select claims.claim_id
        from {{ ref('stg_x12__claims') }} as claims
        inner join {{ ref('stg_x12__ack_set_responses') }} as answers
            on answers.group_control = claims.gs06 and coalesce(answers.set_control, claims.st02) = claims.st02
        where answers._source_batch in (select _source_batch from new_batches)
    ),

    moved as (
        select chain_id, _previous_chain_id from {{ ref('int_claim_id_chains') }} where _build_seq > {{ stamp }}
    )

    select chain_id from {{ ref('int_claim_id_chains') }} where claim_id in (select claim_id from claim_ids)
    union
    select chain_id from moved
    union
    select _previous_chain_id from moved where _previous_chain_id is not null
    union
    select claim_id from claim_ids
{%- endmacro %}

{#
    int_claim_chain_links, batch-keyed with one twist: a submission whose claim id moved to another chain in
    int_claim_id_chains since this model last ran is relinked.  A predicate over stg_x12__claims.
#}
{% macro claims_to_link() -%}
    {%- set predicate -%}
        ({{ in_unseen_batches('_source_batch') }}
            or claim_id in (
                select claim_id from {{ ref('int_claim_id_chains') }} where _build_seq > {{ _own_stamp() }}
            ))
    {%- endset -%}
    {{ return(when_incremental(predicate)) }}
{%- endmacro %}

{% macro delete_relinked_claims() -%}
    {{ return(delete_when_incremental(
        'claim_key in (select claim_key from ' ~ ref('stg_x12__claims') ~ ' where ' ~ claims_to_link() ~ ')')) }}
{%- endmacro %}

{#
    int_encounter_claims: an encounter is rebuilt when a line of it arrives in an unseen batch, or an 837
    carrying its claim id does (its first submission date may move).  A predicate over encounter lines.
#}
{% macro encounters_to_bill() -%}
    {%- set predicate -%}
        encounter_id in (
            select encounter_id from {{ ref('stg_encounters__encounter_lines') }}
            where {{ in_unseen_batches('_source_batch') }}
                or claim_id in (
                    select claim_id from {{ ref('stg_x12__claims') }} where {{ in_unseen_batches('_source_batch') }}
                )
        )
    {%- endset -%}
    {{ return(when_incremental(predicate)) }}
{%- endmacro %}

{% macro delete_rebilled_encounters() -%}
    {{ return(delete_when_incremental(encounters_to_bill())) }}
{%- endmacro %}

{#
    CTEs hop_0 ... hop_<hops> and roots(claim_id, root_claim_id): each claim id's root, following the
    parent links (claim_id -> parent_claim_id) at most `hops` times.  Plain joins, no recursive CTE, so the
    same SQL runs on Spark.
#}
{% macro follow_parents(nodes, parents, hops) -%}
    hop_0 as (
        select claim_id, claim_id as root_claim_id from {{ nodes }}
    ),
    {%- for i in range(1, hops + 1) %}

    hop_{{ i }} as (
        select hop.claim_id, coalesce(p.parent_claim_id, hop.root_claim_id) as root_claim_id
        from hop_{{ i - 1 }} as hop
        left join {{ parents }} as p on p.claim_id = hop.root_claim_id
    ),
    {%- endfor %}

    roots as (
        select * from hop_{{ hops }}
    ),
{%- endmacro %}

{#  SBR01 (payer responsibility sequence) as a number: P 1, S 2, T 3, A-H 4-11; unknown or absent is 1. #}
{% macro payer_sequence(column) -%}
    case {{ column }}
        when 'P' then 1 when 'S' then 2 when 'T' then 3
        when 'A' then 4 when 'B' then 5 when 'C' then 6 when 'D' then 7
        when 'E' then 8 when 'F' then 9 when 'G' then 10 when 'H' then 11
        else 1
    end
{%- endmacro %}
