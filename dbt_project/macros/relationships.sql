{#-  dbt's relationships test with the parent narrowed to the keys the child names before the anti-join.  As
     dbt writes it, every parent key is read into the join: at ten million chains each relationships test on
     fct_claim_chains read ten million keys to check a day's few hundred thousand child rows (the child is
     narrowed to the rows a build wrote, get_where_subquery).  A parent key no child names cannot change the
     result, so the narrowing gives the same rows on a full build too. -#}
{% macro default__test_relationships(model, column_name, to, field) %}

with child as (
    select {{ column_name }} as from_field
    from {{ model }}
    where {{ column_name }} is not null
),

parent as (
    select {{ field }} as to_field
    from {{ to }}
    where {{ field }} in (select from_field from child)
)

select
    from_field

from child
left join parent
    on child.from_field = parent.to_field

where parent.to_field is null

{% endmacro %}
