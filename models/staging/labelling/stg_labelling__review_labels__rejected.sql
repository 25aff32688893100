{{ select_rejected(ref('base_labelling__review_labels'), 'labelling.review_labels') }}
