{#- public (sec_datasets): reviews belong to products, not to orders, countries or channels -#}
{{ secure_dataset('review_terms', ref('rpt_review_terms')) }}
