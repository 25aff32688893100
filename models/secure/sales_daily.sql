{{ secure_dataset('sales_daily', ref('rpt_sales_daily'), ref('sec_rls__sales_daily')) }}
