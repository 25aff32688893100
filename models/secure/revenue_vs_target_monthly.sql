{{ secure_dataset('revenue_vs_target_monthly', ref('rpt_revenue_vs_target_monthly')) }}
