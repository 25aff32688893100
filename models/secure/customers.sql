{{ secure_dataset('customers', ref('dim_customers'), ref('sec_rls__customers')) }}
