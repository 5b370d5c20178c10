{#- open x expected allowed / charge, rounded half up to the cent in integer cents (open when the chain has no
    expected allowed or no charge).  Integer arithmetic because the double product lands on exact half cents
    (84 x 279.50 / 560.00 = 41.925) and DuckDB and Spark round such a double differently; the integer quotient
    is exact in a double below 2^53 cents, so floor() sees the true value on both engines. -#}
{% macro net_open_balance(open_balance, expected_allowed, charge) -%}
    case
        when {{ expected_allowed }} is null or coalesce({{ charge }}, 0) = 0 then {{ open_balance }}
        else cast(floor(
            (2 * cast({{ open_balance }} * 100 as bigint) * cast({{ expected_allowed }} * 100 as bigint)
                + cast({{ charge }} * 100 as bigint))
            / cast(2 * cast({{ charge }} * 100 as bigint) as double)
        ) as decimal(18, 0)) * 0.01
    end::decimal(18, 2)
{%- endmacro %}
