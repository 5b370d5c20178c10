{#
    Overrides dbt's get_where_subquery (every generic test reads its model through it) so that a row-local
    test on an incremental model checks only the rows this build wrote.

    An incremental build continues a warehouse the same project built and tested (build.py compares the
    project fingerprint), so rows it did not rewrite already passed these tests; re-reading 3M untouched
    rows for not_null at every daily build was most of the data-test time.  Only tests whose verdict on a
    row depends on that row alone are narrowed (ROW_LOCAL below); unique keys, relationships and the
    singular reconciliation tests still read whole tables.  The rows this build wrote are the chain rows
    stamped with its ledger number (_build_seq) and the batch rows of the batches it read first; on a build
    from nothing that is every row, so the filter changes nothing there.

    Self-contained on purpose: a test node only sees the macros it depends on.
#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set row_local = ['not_null', 'accepted_values', 'expression_is_true'] -%}
    {%- set test_name = (model.get('test_metadata') or {}).get('name') -%}
    {%- set predicates = ['(' ~ where ~ ')'] if where else [] -%}
    {%- if execute and test_name in row_local -%}
        {%- set parent = (graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
                          | selectattr('alias', 'equalto', relation.identifier) | list) -%}
        {%- set tags = parent[0].tags if parent else [] -%}
        {%- set ledger = adapter.get_relation(database=relation.database, schema=relation.schema,
                                              identifier='int_build_batches') -%}
        {%- if ledger is not none and parent and parent[0].config.materialized == 'incremental' -%}
            {%- if 'chain_incremental' in tags -%}
                {%- do predicates.append('_build_seq = (select max(build_seq) from ' ~ ledger ~ ')') -%}
            {%- elif 'batch_incremental' not in tags -%}
                {#- staging and the ledger: rows only ever appended, per raw batch (a batch_incremental model
                    also rewrites older rows, relinked claims or rebilled encounters: tested whole) -#}
                {%- do predicates.append('_source_batch in (select _source_batch from ' ~ ledger
                    ~ ' where build_seq = (select max(build_seq) from ' ~ ledger ~ '))') -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {%- if predicates -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ predicates | join(' and ') ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
