"""Development tooling outside the lakesight package: `make lint`'s convention check."""
