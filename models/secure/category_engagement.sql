{#- public (sec_datasets): reviews and web sessions only, no order, country or channel -#}
{{ secure_dataset('category_engagement', ref('rpt_category_engagement')) }}
