{{ select_rejected(ref('base_web__access_logs'), 'web.access_logs') }}
