{{ secure_dataset('sales_daily', ref('rpt_sales_daily')) }}
