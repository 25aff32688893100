{{ secure_dataset('revenue_by_country', ref('rpt_revenue_by_country')) }}
