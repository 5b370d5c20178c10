-- ICD-10-CM codes (no dots) with billability and specificity (pipelines/reference/icd10cm.py).
select
    upper(code) as code,
    is_billable,
    is_unspecified,
    has_specified_sibling
from {{ source('reference', 'icd10cm') }}
