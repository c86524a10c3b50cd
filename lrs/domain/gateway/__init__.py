"""The gateway's hub side: jobs, checkpoints, dead letters, and storing what a job
brings in through the same service path as a POST. The HTTP clients and file
formats live in the top-level ``adapters`` package."""
