{#- A chain's expected allowed from its contract-priced part and its uncontracted charge (columns of
    int_chain_contract_prices, under `prices`) at the payer's allowed-to-charge ratio (1 when it has none). -#}
{% macro expected_allowed(prices, ratio) -%}
    ({{ prices }}.contracted_allowed_amount
        + {{ prices }}.uncontracted_charge_amount * coalesce({{ ratio }}, 1))::decimal(18, 2)
{%- endmacro %}
