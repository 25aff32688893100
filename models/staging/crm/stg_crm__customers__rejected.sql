{{ select_rejected(ref('base_crm__customers'), 'crm.customers') }}
