{{ select_current(ref('base_fulfilment__shipments')) }}
