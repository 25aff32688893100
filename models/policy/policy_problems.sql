{#- every way the policy seeds do not fit together; policy_datasets fails the build on any row -#}
{{ sec_policy_problems() }}
