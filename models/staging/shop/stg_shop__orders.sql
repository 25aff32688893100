{{ select_current(ref('base_shop__orders')) }}
