{{ secure_dataset('orders', ref('fct_orders')) }}
