{{ select_current(ref('base_crm__customers')) }}
