{#- public (sec_datasets): web sessions carry no country, region or channel a rule could read -#}
{{ secure_dataset('web_funnel_flows', ref('rpt_web_funnel_flows')) }}
