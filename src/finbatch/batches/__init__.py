"""AR batches: the Rhythm-shaped batch aggregate, its lifecycle table and derived statistics."""
