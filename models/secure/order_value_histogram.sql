{{ secure_dataset('order_value_histogram', ref('rpt_order_value_histogram')) }}
