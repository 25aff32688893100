{{ select_current(ref('base_payments__payments')) }}
