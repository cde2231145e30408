"""Everything that touches files lives under review.io."""
