{{ select_current(ref('base_catalog__products')) }}
