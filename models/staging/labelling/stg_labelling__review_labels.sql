{{ select_current(ref('base_labelling__review_labels')) }}
