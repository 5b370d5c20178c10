{{ config(materialized='view') }}
-- The patient-provider-days with a procedure that has a global surgical package (macro
-- has_global_surgery_period), on any claim: the days an E/M needs modifier 25 to be paid separately.
-- The modifier-25 rate and the "25 without a procedure" rule both read these days.
select distinct patient_key, provider_npi, service_date
from {{ ref('int_integrity__counted_lines') }}
where not is_em and {{ has_global_surgery_period('procedure_code') }}
