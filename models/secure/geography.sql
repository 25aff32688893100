{{ secure_dataset('geography', ref('dim_geography')) }}
