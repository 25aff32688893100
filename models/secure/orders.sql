{{ secure_dataset('orders', ref('fct_orders'), ref('sec_rls__orders')) }}
