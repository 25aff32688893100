{{ secure_dataset('customer_churn_features', ref('ml_customer_churn_features')) }}
