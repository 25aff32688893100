{#- public dataset: every active principal sees every row; unit cost is masked unless granted -#}
{{ secure_dataset('products', ref('dim_products')) }}
