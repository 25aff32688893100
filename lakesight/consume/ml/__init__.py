"""The churn model: train on ml_customer_churn_features, write model, metrics, card, predictions.

scikit-learn is imported by lakesight.consume.ml.train only, when a model is trained, so every other
`lakesight` command starts without it.
"""


class TrainError(Exception):
    """The features cannot train a model (too few cutoffs, one class only)."""
