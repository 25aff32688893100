{{ select_current(ref('base_shop__order_items')) }}
