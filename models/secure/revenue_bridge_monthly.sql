{{ secure_dataset('revenue_bridge_monthly', ref('rpt_revenue_bridge_monthly')) }}
