{{ select_rejected(ref('base_payments__payments'), 'payments.payments') }}
