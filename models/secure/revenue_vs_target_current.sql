{{ secure_dataset('revenue_vs_target_current', ref('rpt_revenue_vs_target_current')) }}
