{{ select_rejected(ref('base_catalog__products'), 'catalog.products') }}
