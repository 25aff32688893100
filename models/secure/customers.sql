{{ secure_dataset('customers', ref('dim_customers')) }}
