{#- whether the rows are filtered follows rls_mode in sec_datasets (public: every active principal sees every row) -#}
{{ secure_dataset('labelling_quality', ref('ml_labelling_quality')) }}
