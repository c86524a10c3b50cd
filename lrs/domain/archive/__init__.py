"""Learning archives (学习档案, GB/T 38856 §9.1): credit policies and yearly projections."""
