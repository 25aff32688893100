"""Row- and column-level security: policy seeds and an independent oracle of what each sees."""
