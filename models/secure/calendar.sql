{{ secure_dataset('calendar', ref('dim_date')) }}
