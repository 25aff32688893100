{{ secure_dataset('web_sessions', ref('fct_web_sessions')) }}
