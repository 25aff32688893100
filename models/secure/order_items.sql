{#- order lines carry no country or channel: the rules read them from the line's order -#}
{{ secure_dataset(
    'order_items',
    ref('fct_order_items'),
    lookup={'relation': ref('fct_orders'), 'key': 'order_id'},
) }}
