{{ select_rejected(ref('base_shop__orders'), 'shop.orders') }}
