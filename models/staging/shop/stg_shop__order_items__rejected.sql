{{ select_rejected(ref('base_shop__order_items'), 'shop.order_items') }}
