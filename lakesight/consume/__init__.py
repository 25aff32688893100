"""What reads the warehouse and the principals' extracts: dashboards/, notebooks/, profiles/,
ml/."""
