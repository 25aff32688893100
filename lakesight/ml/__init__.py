"""The churn model: train on ml_customer_churn_features, write model, metrics, card, predictions."""
