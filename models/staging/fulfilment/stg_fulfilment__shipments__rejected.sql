{{ select_rejected(ref('base_fulfilment__shipments'), 'fulfilment.shipments') }}
