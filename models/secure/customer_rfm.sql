{{ secure_dataset('customer_rfm', ref('rpt_customer_rfm')) }}
