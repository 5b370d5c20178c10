{#
    Overrides dbt's get_where_subquery (every generic test reads its model through it) so that a row-local
    test on an incremental model checks only the rows this build wrote (and a key test the rows those
    share a key with).

    An incremental build continues a warehouse the same project built and tested (build.py compares the
    project fingerprint), so rows it did not rewrite already passed these tests; re-reading 3M untouched
    rows at every daily build was most of the data-test time.  Narrowed: the tests whose verdict on a row
    depends on that row alone (not_null, accepted_values, expression_is_true) to the rows written; unique
    keys to the rows sharing a key with a row written (old rows were unique among themselves, and a
    rewrite deletes before it inserts), primary keys to those and the rows written (a null key);
    relationships to the child rows written when an old child row cannot lose its parent (the parent is
    append-only staging, or both sides are rewritten chain by chain).
    Other relationships, views, whole-table models and the singular reconciliation tests read everything.
    Staging and the ledger only ever append, per raw batch; a batch_incremental model also rewrites older
    rows (relinked claims, rebilled encounters, claim ids moved to another chain), and stamps every row it
    writes, old or new, with the build's ledger number.  The rows this build wrote are the rows of chain and
    batch_incremental models stamped with its ledger number (_build_seq) and the staging rows of the batches
    it read first; on a build from nothing that is every row, so the filter changes nothing there.

    Self-contained on purpose: a test node only sees the macros it depends on.  That is also why "the
    batches this build read first" is spelled out here rather than by in_this_builds_batches(): that macro
    calls ref(), and a ref() reached only while a test's where-subquery renders is not a dependency dbt knows
    of when it orders the nodes; this macro finds the ledger with adapter.get_relation instead.
#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set test = model.get('test_metadata') or {} -%}
    {%- set kwargs = test.get('kwargs') or {} -%}
    {%- set name = test.get('name') -%}
    {%- set key = kwargs.get('column_name') if name in ['unique', 'primary_key']
        else (kwargs.get('columns') | join(', ') if name == 'unique_combination' else none) -%}
    {%- set fresh = none -%}
    {%- if execute and (name in ['not_null', 'accepted_values', 'expression_is_true', 'relationships'] or key) -%}
        {#- model name -> 'chain' (rows rewritten per chain) | 'rewrite' (batch-keyed, older rows rewritten too)
            | 'append' (per raw batch) -#}
        {%- set kinds = {} -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'model'
                                               and node.config.materialized == 'incremental' -%}
            {%- if 'chain_incremental' in node.tags -%}{%- do kinds.update({node.alias: 'chain'}) -%}
            {%- elif 'batch_incremental' in node.tags -%}{%- do kinds.update({node.alias: 'rewrite'}) -%}
            {%- else -%}{%- do kinds.update({node.alias: 'append'}) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set kind = kinds.get(relation.identifier) -%}
        {%- set parent_id = (graph.nodes.values() | selectattr('alias', 'equalto', relation.identifier)
                             | map(attribute='unique_id') | first) if kind else none -%}
        {%- if name == 'relationships' -%}
            {#- old child rows keep their parents when the parent is append-only, or when both sides are
                rewritten chain by chain -#}
            {%- set parents = model.depends_on.nodes | reject('equalto', parent_id) | list -%}
            {%- set to_kind = kinds.get(graph.nodes[parents[0]].alias) if parents | length == 1
                and parents[0] in graph.nodes else none -%}
            {%- if not (to_kind == 'append' or (to_kind == 'chain' and kind == 'chain')) -%}
                {%- set kind = none -%}
            {%- endif -%}
        {%- endif -%}
        {%- set ledger = adapter.get_relation(database=relation.database, schema=relation.schema,
                                              identifier='int_build_batches') if kind else none -%}
        {%- if ledger is not none -%}
            {%- set this_build = '(select max(build_seq) from ' ~ ledger ~ ')' -%}
            {%- set fresh = '_build_seq = ' ~ this_build if kind in ['chain', 'rewrite']
                else '_source_batch in (select _source_batch from ' ~ ledger ~ ' where build_seq = ' ~ this_build ~ ')' -%}
        {%- endif -%}
    {%- endif -%}
    {%- set predicates = ['(' ~ where ~ ')'] if where else [] -%}
    {%- if fresh and key -%}
        {#- a repeated key involves a row this build wrote: every row sharing a key with one (and for a
            primary key the rows written themselves, whose key may be null) -#}
        {%- set sharing = '(' ~ key ~ ') in (select ' ~ key ~ ' from ' ~ relation ~ ' where ' ~ fresh ~ ')' -%}
        {%- do predicates.append('(' ~ fresh ~ ' or ' ~ sharing ~ ')' if name == 'primary_key' else sharing) -%}
    {%- elif fresh -%}
        {%- do predicates.append(fresh) -%}
    {%- endif -%}
    {%- if predicates -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ predicates | join(' and ') ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
