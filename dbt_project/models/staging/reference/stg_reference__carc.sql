-- CARC codes from the user's own licensed list (macros/stg_code_list.sql).
{{ stg_code_list('carc') }}
